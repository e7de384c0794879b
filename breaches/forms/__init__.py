"""Forms of the breach workflow pages. They validate input; the services in
`breaches.services` write and have the last word (their errors are shown on the form with
`attach_service_errors`).

One module per page group: the shared fields (`fields`), the report and triage (`report`),
the selection of customers and notifying them (`selection`), what follows the notices
(`progress`) and the customer portal (`portal`). Their forms are imported here so that
`from breaches.forms import X` works.
"""

from breaches.forms.fields import (
    FOLD_CHOICES,
    LOCAL_INPUT_FORMATS,
    ZONE_HELP,
    LocalDateTimeField,
    LocalDateTimeInput,
    LocalTimesMixin,
    ProductChoiceField,
    bool_initial,
    local_initial,
)
from breaches.forms.portal import CustomerReportForm, DecisionForm, IntentionForm
from breaches.forms.progress import FinalReportForm, LateReasonForm, OutOfBandForm, UpdateForm
from breaches.forms.report import (
    CB_CHOICES,
    DPC_CHOICES,
    EI_CHOICES,
    DiscoveryCorrectForm,
    DismissForm,
    IncidentReportForm,
    TriageForm,
)
from breaches.forms.selection import (
    HAND_NAV_SIMPLE,
    MAX_CUSTOMER_NUMBERS,
    PREVIEW_SUGGESTIONS,
    CustomerIdsField,
    HandSelectionForm,
    NotifyForm,
    PreviewForm,
    SelectionForm,
    SuggestionsInput,
    customer_numbers_check,
    customer_numbers_split,
)

__all__ = [
    "CB_CHOICES",
    "DPC_CHOICES",
    "EI_CHOICES",
    "FOLD_CHOICES",
    "HAND_NAV_SIMPLE",
    "LOCAL_INPUT_FORMATS",
    "MAX_CUSTOMER_NUMBERS",
    "PREVIEW_SUGGESTIONS",
    "ZONE_HELP",
    "CustomerIdsField",
    "CustomerReportForm",
    "DecisionForm",
    "DiscoveryCorrectForm",
    "DismissForm",
    "FinalReportForm",
    "HandSelectionForm",
    "IncidentReportForm",
    "IntentionForm",
    "LateReasonForm",
    "LocalDateTimeField",
    "LocalDateTimeInput",
    "LocalTimesMixin",
    "NotifyForm",
    "OutOfBandForm",
    "PreviewForm",
    "ProductChoiceField",
    "SelectionForm",
    "SuggestionsInput",
    "TriageForm",
    "UpdateForm",
    "bool_initial",
    "customer_numbers_check",
    "customer_numbers_split",
    "local_initial",
]
