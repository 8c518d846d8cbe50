"""The domain: peewee models and the rules of the petition office. Imports neither flask nor admin_app."""
