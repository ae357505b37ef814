from . import call_campaign_callback_reassign
from . import call_campaign_member_add
from . import call_campaign_member_forward
from . import call_campaign_member_log
from . import call_dnc_import
