"""Letters: content.py (what each letter says, from the records), render.py (fonts, line breaking, the
template -> HTML -> PDF in GB/T 9704-2012 layout, issuing and printing)."""
