from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from wagtail_learning.courses.models import CourseIndexPage, CoursePage
from wagtail_learning.lms import api as lms

from .routing import route_along_path


class HomePage(Page):
    """The landing page; for a logged-in learner also their own dashboard."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage", "events.EventIndexPage"]
    max_count = 1
    template = "home/home_page.html"

    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        return route_along_path(self, request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = CourseIndexPage.objects.child_of(self).live().first()
        featured = lms.courses_open_to(
            request.user, CoursePage.objects.descendant_of(self).live().public()
        )
        if request.user.is_authenticated:
            dashboard = lms.get_learner_dashboard(request.user)
            context["dashboard"] = dashboard
            # "Find more courses" offers only what the learner has not enrolled in.
            featured = featured.exclude(pk__in=[c.course.pk for c in dashboard.courses])
        context["featured_courses"] = featured.select_related("cover_image").order_by("path")[:6]
        return context
