from . import controllers
from . import models
from . import wizards


def post_init_hook(env):
    """Contacts that existed before the add-on get their numbers to call."""
    env["res.partner"]._sync_existing_call_numbers()
