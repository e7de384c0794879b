from compliance.api_routers import IdRouter
from processing.api import audits, contract_end, instructions, record, subject_requests

router = IdRouter()
for part in (instructions, subject_requests, audits, contract_end, record):
    part.register(router)

urlpatterns = router.urls
