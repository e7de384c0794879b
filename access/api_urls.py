from access.api import confidentiality, consent, reviews, standing, support_copies, temporary
from compliance.api_routers import IdRouter

router = IdRouter()
for part in (confidentiality, standing, temporary, consent, support_copies, reviews):
    part.register(router)

urlpatterns = router.urls
