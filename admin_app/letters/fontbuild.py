"""Build the free letter faces as TrueType, which is all reportlab (and so xhtml2pdf) can embed.

    python -m admin_app.letters.fontbuild        (make fonts; .ci/run)

- 仿宋 (body): Fandol Fang (texlive-lang-chinese, GPL-3 with a font exception) converted from CFF to TrueType.
  It covers GB2312 only, so the characters it lacks (玥, 堃, 喆, 昇, 𠮷 ...) are added from Noto Serif CJK SC
  Regular (fonts-noto-cjk, SIL OFL 1.1): xhtml2pdf has no per-character font fallback, a name must not print as a box.
- 小标宋 stand-in (title): Noto Serif CJK SC Black (fonts-noto-cjk-extra), subset to what titles print, converted.

The .deb files are fetched with `apt-get download` and unpacked in a temporary folder (nothing is installed).
Idempotent: a face whose file exists is not built again. Needs fontTools (requirements-dev.txt) only here, never
at run time. Exits 0 with a message when apt or fontTools is missing: letters then use the fallback faces.
"""
import glob
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FONT_DIR = os.path.join(ROOT, "instance", "fonts")
FANG = os.path.join(FONT_DIR, "FandolFang-Regular.ttf")
TITLE = os.path.join(FONT_DIR, "NotoSerifCJKsc-Black.ttf")

# What a title may print: ASCII, CJK punctuation, full-width forms and every GB2312 hanzi (the titles are the
# kinds' names, edited by the office; glyphs.py refuses anything else before a letter is numbered).
TITLE_TEXT = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0x3000, 0x3040))) + "".join(
    map(chr, range(0xFF01, 0xFF5F))) + "—…‘’“”·"
# Not taken from Noto for the body: Hangul (11 000 glyphs no county letter prints).
SKIP = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))


def gb2312_hanzi():
    out = []
    for code in range(0x4E00, 0xA000):
        try:
            chr(code).encode("gb2312")
        except UnicodeEncodeError:
            continue
        out.append(chr(code))
    return "".join(out)


def unpack(packages, members, folder):
    """apt-get download the packages into folder and extract only the members (shell patterns) from them."""
    subprocess.run(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", *packages], cwd=folder,
                   check=True, stdout=subprocess.DEVNULL)  # as root, apt's _apt user could not write the folder
    for deb in glob.glob(os.path.join(folder, "*.deb")):
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", folder, "--wildcards", "--no-anchored", *members], stdin=tar.stdout,
                       stderr=subprocess.DEVNULL)
        tar.wait()
        os.remove(deb)


def found(folder, name):
    return glob.glob(os.path.join(folder, "**", name), recursive=True)[0]


def sc_face(path):
    """The Simplified Chinese face of a Noto CJK collection."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    return next(i for i, face in enumerate(collection.fonts) if "CJKsc-" in face["name"].getDebugName(6))


def quadratic(glyph_set, name):
    """A CFF (cubic) glyph as a TrueType (quadratic) one: max error 1 unit of 1000, direction reversed (cu2qu)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
    return pen.glyph()


def _set_cmap(font, mapping):
    """A Windows Unicode cmap: format 4 for the Basic Multilingual Plane, format 12 for all (𠮷 is U+20BB7)."""
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    tables = []
    for form, encoding, codes in ((4, 1, {c: n for c, n in mapping.items() if c <= 0xFFFF}), (12, 10, mapping)):
        table = CmapSubtable.newSubtable(form)
        table.platformID, table.platEncID, table.language, table.cmap = 3, encoding, 0, codes
        tables.append(table)
    font["cmap"].tables = tables


def to_truetype(font, extra=None):
    """Replace the CFF table of an OpenType font by glyf/loca (the otf2ttf recipe). extra: (font, {code: glyph
    name}) whose glyphs are added for those code points, at the same advance width."""
    from fontTools.ttLib import newTable

    glyph_set, order = font.getGlyphSet(), font.getGlyphOrder()
    glyphs = {name: quadratic(glyph_set, name) for name in order}
    metrics = dict(font["hmtx"].metrics)
    cmap = {}
    if extra is not None:
        other, codes = extra
        if other["head"].unitsPerEm != font["head"].unitsPerEm:  # both 1000 (Fandol, Noto CJK): no scaling here
            raise ValueError("the fallback font has another unitsPerEm")
        other_set, other_metrics, names = other.getGlyphSet(), other["hmtx"].metrics, {}
        for code, name in sorted(codes.items()):
            if name not in names:
                names[name] = "fallback%05d" % len(names)
                glyphs[names[name]] = quadratic(other_set, name)
                metrics[names[name]] = (other_metrics[name][0], 0)
                order.append(names[name])
            cmap[code] = names[name]
    for table in ("CFF ", "VORG", "vhea", "vmtx", "GSUB", "GPOS", "BASE"):
        if table in font:
            del font[table]
    font.setGlyphOrder(order)
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    for name, glyph in glyphs.items():
        glyph.recalcBounds(glyf)
        metrics[name] = (metrics[name][0], getattr(glyph, "xMin", 0))
    font["hmtx"].metrics = metrics
    _set_cmap(font, {**font.getBestCmap(), **cmap})
    font["maxp"].tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(font["maxp"], field, 2 if field == "maxZones" else 0)
    font["maxp"].maxComponentDepth = 0
    font["post"].formatType, font["post"].extraNames, font["post"].mapping = 3.0, [], {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    return font


def build_fang(folder, out):
    from fontTools.ttLib import TTFont

    fang = TTFont(found(folder, "FandolFang-Regular.otf"))
    noto_path = found(folder, "NotoSerifCJK-Regular.ttc")
    noto = TTFont(noto_path, fontNumber=sc_face(noto_path))
    have = fang.getBestCmap()
    lacking = {code: name for code, name in noto.getBestCmap().items()
               if code not in have and not any(low <= code <= high for low, high in SKIP)}
    to_truetype(fang, (noto, lacking)).save(out)
    with gzip.open(found(folder, "COPYING.gz"), "rb") as source, open(FANG[:-4] + "-COPYING.txt", "wb") as out:
        shutil.copyfileobj(source, out)  # GPL-3 with the font exception at its end
    shutil.copy(found(folder, "README"), FANG[:-4] + "-README.txt")
    shutil.copy(found(folder, "copyright"), os.path.join(FONT_DIR, "NotoSerifCJK-LICENSE.txt"))  # OFL 1.1
    return len(lacking)


def build_title(folder, out):
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = found(folder, "NotoSerifCJK-Black.ttc")
    font = TTFont(path, fontNumber=sc_face(path))
    subsetter = subset.Subsetter(subset.Options(layout_features=[], name_IDs=["*"], notdef_outline=True,
                                                hinting=False, desubroutinize=True))
    subsetter.populate(text=TITLE_TEXT + gb2312_hanzi())
    subsetter.subset(font)
    to_truetype(font).save(out)
    shutil.copy(found(folder, "copyright"), os.path.join(FONT_DIR, "NotoSerifCJK-LICENSE.txt"))


def main():
    wanted = [(path, build) for path, build in ((FANG, build_fang), (TITLE, build_title)) if not os.path.isfile(path)]
    if not wanted:
        print("letter fonts: present in %s" % FONT_DIR)
        return 0
    try:
        import fontTools  # noqa: F401
    except ImportError:
        print("letter fonts: fontTools is not installed; letters use the fallback faces (README, 文书字体)")
        return 0
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        print("letter fonts: no apt-get/dpkg-deb here; letters use the fallback faces (README, 文书字体)")
        return 0
    os.makedirs(FONT_DIR, exist_ok=True)
    packages = {FANG: ["texlive-lang-chinese", "fonts-noto-cjk"], TITLE: ["fonts-noto-cjk-extra"]}
    members = ["FandolFang-Regular.otf", "fandol/COPYING.gz", "fandol/README", "NotoSerifCJK-Regular.ttc",
               "NotoSerifCJK-Black.ttc", "fonts-noto-cjk*/copyright"]
    for path, build in wanted:
        start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="letter-fonts-") as folder:
            try:
                unpack(packages[path], members, folder)
                build(folder, path + ".part")
                os.replace(path + ".part", path)  # an interrupted build leaves no half font behind
            except Exception as error:  # noqa: BLE001 - a missing font must not fail `make test`
                if os.path.exists(path + ".part"):
                    os.remove(path + ".part")
                print("letter fonts: could not build %s (%s); letters use the fallback faces (README, 文书字体)"
                      % (os.path.basename(path), error))
                continue
        print("letter fonts: built %s (%.1f MB) in %.0f s" % (
            path, os.path.getsize(path) / 1e6, time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
