from . import call_membership_mixin
from . import call_status
from . import call_status_reason
from . import call_campaign
from . import call_campaign_stage
from . import call_campaign_member
from . import call_campaign_member_status
from . import call_campaign_member_scheduling
from . import call_campaign_member_queue
from . import call_campaign_member_pacing
from . import call_campaign_member_revenue
from . import call_campaign_member_actions
from . import call_campaign_member_callbacks
from . import call_interaction
from . import call_contact_number
from . import res_partner
from . import res_company
from . import res_config_settings
from . import phone_blacklist
from . import crm_lead
from . import mail_activity
from . import mail_message
from . import mail_scheduled_message

# last: its SQL view reads the tables of the models above
from . import call_campaign_agent_stat
