"""What every command shares: a refusal in Chinese with exit status 1, and domain errors in Chinese."""
import click
from flask_babel import force_locale, gettext

from models.people import ROLES

from ..i18n import error_message


class CommandError(click.ClickException):
    """A refused command: its Chinese message on stderr, exit status 1."""

    def show(self, file=None):
        click.echo("错误：%s" % self.format_message(), err=True, file=file)


def fail(message):
    """Stop the command with a message and exit status 1."""
    raise CommandError(message)


def chinese(function, *args, **kwargs):
    """Call function under the Chinese locale (commands run outside a request)."""
    with force_locale("zh_Hans_CN"):
        return function(*args, **kwargs)


def message(err):
    """The Chinese text of a domain error, outside a request."""
    return chinese(error_message, err)


def role_name(role):
    return chinese(gettext, dict(ROLES)[role])
