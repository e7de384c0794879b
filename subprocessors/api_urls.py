from compliance.api_routers import IdRouter
from subprocessors import api

router = IdRouter()
router.register("subprocessors", api.SubprocessorViewSet, basename="api-subprocessor")
router.register("change-notices", api.ChangeNoticeViewSet, basename="api-change-notice")
router.register("objections", api.ObjectionViewSet, basename="api-objection")
router.register("termination-rights", api.TerminationRightViewSet, basename="api-termination-right")

urlpatterns = router.urls
