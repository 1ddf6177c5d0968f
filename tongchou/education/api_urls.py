from rest_framework.routers import SimpleRouter

from tongchou.education.api import CourseViewSet, StudyRecordViewSet, TrainingViewSet

router = SimpleRouter()
router.register("education/courses", CourseViewSet, basename="api-education-course")
router.register(
    "education/study-records", StudyRecordViewSet, basename="api-education-study-record"
)
router.register("education/trainings", TrainingViewSet, basename="api-education-training")

urlpatterns = router.urls
