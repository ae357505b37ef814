from . import test_call_campaign
from . import test_call_campaign_access
from . import test_call_campaign_member_add
from . import test_call_campaign_member_status
from . import test_call_campaign_security
from . import test_call_campaign_scheduling
from . import test_call_campaign_crons
