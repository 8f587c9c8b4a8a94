"""The catalogue and the course: the pages that hold modules."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.db.models import Case, Q, Value, When
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from wagtail_learning.lms import api as lms
from wagtail_learning.modules.forms import AsciiSlugPageForm
from wagtail_learning.modules.models import ModulePage

from .listing import ListedModule, course_listing, course_listings, module_card
from .outline import render_outline


def _live_url(module) -> str:
    return module.url


def _preview_url(module) -> str:
    # Inside a course preview, the preview of the module's latest draft (the admin's
    # "view draft", as modules' `module_url` tag answers), where its steps can be walked.
    return reverse("wagtailadmin_pages:view_draft", args=[module.pk])


class CourseIndexPage(Page):
    """The catalogue: lists the live courses below it."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    # Any parent: the host's own home page, say (README "Add to an existing Wagtail site").
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    template = "courses/course_index_page.html"

    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        courses = CoursePage.objects.child_of(self).live().public()
        context["courses"] = (
            lms.courses_open_to(request.user, courses)
            .select_related("cover_image")
            .order_by("path")
        )
        return context


def _open_evaluations(user, pages) -> list:
    """The evaluations of `pages` (the course, its modules that `user` completed) they were
    offered and have not answered: the course page links each. None without the
    evaluations app."""
    if not pages or not apps.is_installed("wagtail_learning.evaluations"):
        return []
    from wagtail_learning.evaluations.api import open_evaluations_of

    ids = {page.pk for page in pages}
    return [p for p in open_evaluations_of(user) if p.evaluation.page_id in ids]


class CoursePage(RoutablePageMixin, Page):
    """A course. Its children are modules, in page order."""

    base_form_class = AsciiSlugPageForm

    class EnrolmentMode(models.TextChoices):
        OPEN = "open", _("Open: learners enrol themselves")
        ASSIGNED = "assigned", _("Assigned only")

    summary = models.TextField(_("summary"), help_text=_("One or two sentences for the catalogue."))
    audience = models.TextField(_("audience"), blank=True, help_text=_("Who the course is for."))
    learning_outcomes = RichTextField(
        _("learning outcomes"), blank=True, features=["ul", "ol", "bold", "italic", "link"]
    )
    estimated_minutes = models.PositiveIntegerField(
        _("estimated time (minutes)"), null=True, blank=True
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organiser = models.CharField(_("organiser"), max_length=300, blank=True)
    enrolment_mode = models.CharField(
        _("enrolment"), max_length=16, choices=EnrolmentMode.choices, default=EnrolmentMode.OPEN
    )
    certificate_design = models.ForeignKey(
        "certificates.CertificateDesign",
        verbose_name=_("certificate design"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Issued when a learner completes the course. Empty: the default design."),
    )
    open_to_external = models.BooleanField(
        _("open to external participants"),
        default=False,
        help_text=_(
            "People from associations and businesses may register themselves for this course "
            "from its page (with an open enrolment) and take it. Unticked, external "
            "participants cannot open it, even if enrolled before; to stop new registrations "
            "only, make the enrolment assigned-only."
        ),
    )

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["modules.ModulePage", "events.EventPage"]
    template = "courses/course_page.html"

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("audience"),
        index.SearchField("learning_outcomes"),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("learning_outcomes"),
                FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("organiser")]),
            ],
            heading=_("About the course"),
        ),
        FieldPanel("enrolment_mode"),
        FieldPanel("open_to_external"),
        FieldPanel("certificate_design"),
    ]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    # --- The engine's protocol ------------------------------------------------------

    def get_lms_modules(self) -> list[ModulePage]:
        return self.modules

    @property
    def enrolment_open(self) -> bool:
        return self.enrolment_mode == self.EnrolmentMode.OPEN

    @property
    def lms_audience(self) -> str:
        """Who the course is for: staff, and external participants too when it is open
        to them (decision 0033). The engine refuses everyone else on every path."""
        return lms.Audience.EVERYONE if self.open_to_external else lms.Audience.STAFF

    @classmethod
    def lms_audience_expression(cls):
        """`lms_audience` in a query, for listings (lms.courses_open_to)."""
        return Case(
            When(open_to_external=True, then=Value(lms.Audience.EVERYONE)),
            default=Value(lms.Audience.STAFF),
            output_field=models.CharField(),
        )

    @property
    def accepts_external(self) -> bool:
        """External participants may register for it: open to them and open enrolment."""
        return self.open_to_external and self.enrolment_open

    # --- Content helpers ------------------------------------------------------------

    @cached_property
    def modules(self) -> list[ModulePage]:
        """Live modules in page order, with their prerequisites and step specs, in a fixed
        number of queries however many modules there are."""
        type(self).prefetch_lms_modules([self])
        return self.__dict__["modules"]

    @classmethod
    def prefetch_lms_modules(cls, courses: list[CoursePage]) -> None:
        """Fill in `modules` of many courses at once: one query for all their modules, one
        for the prerequisites, one per kind of content behind the steps."""
        pending = [course for course in courses if "modules" not in course.__dict__]
        if not pending:
            return
        children = Q()
        for course in pending:
            children |= Q(path__startswith=course.path, depth=course.depth + 1)
        modules = list(
            ModulePage.objects.filter(children)
            .live()
            .order_by("path")
            .prefetch_related("prerequisites")
        )
        ModulePage.prefetch_step_specs(modules)
        by_path = {course.path: course for course in pending}
        for course in pending:
            course.__dict__["modules"] = []
        for module in modules:
            course = by_path[module.path[: -ModulePage.steplen]]
            module._lms_course_id = course.pk
            module._lms_course = course  # its audience (decision 0033)
            course.__dict__["modules"].append(module)

    @classmethod
    def listed_lms_modules(cls, courses: list[CoursePage]) -> dict[int, list[ListedModule]]:
        """The live modules of the courses as the course page keeps them until the next
        edit (the dashboard's batch: no query when kept); nothing when nothing is kept
        between requests (no shared cache), so that the modules are loaded as pages."""
        if not lms.caches_until_edit():
            return {}
        return {pk: listing.modules for pk, listing in course_listings(courses).items()}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The live page's modules, from the cache until the next edit; a preview (a
        # draft, perhaps never saved) loads them afresh.
        preview = getattr(request, "is_preview", False)
        if self.pk and not preview:
            listing = course_listing(self)
            modules, cards = listing.modules, listing.cards
            # The course's live sessions (events placed under it), linked from the course.
            context["events"] = listing.events
        else:
            modules, cards = self.modules, {}
        context["modules"] = modules
        progress = lms.get_course_progress(user=request.user, course=self, modules=modules)
        context["progress"] = progress
        context["outline"] = render_outline(
            [
                (state, cards.get(state.module.pk) or module_card(state.module))
                for state in progress.modules
            ],
            enrolled=progress.enrolment is not None,
            module_url=_preview_url if preview else _live_url,
        )
        # An evaluation is offered when the course or a module is completed: before that
        # there is none to link, and no query asks.
        finished = [state.module for state in progress.modules if state.completed_at]
        if progress.completed_at:
            finished.append(self)
        context["open_evaluations"] = _open_evaluations(request.user, finished)
        return context

    def route(self, request, path_components):
        """Wagtail's routing; a module routed through this course learns it is its course
        (its id and audience for the access check, without asking again)."""
        result = super().route(request, path_components)
        page = getattr(result, "page", None)
        if isinstance(page, ModulePage) and page.path[: -ModulePage.steplen] == self.path:
            page._lms_course = self
        return result

    def _refused(self, request):
        """A learner the course is not for (an external participant in a staff course):
        the reason, with a 403, instead of the course (decision 0033). None for the rest."""
        decision = lms.check_course_audience(user=request.user, course=self)
        if decision.allowed:
            return None
        return TemplateResponse(
            request, "courses/course_refused.html", {"page": self, "decision": decision}, status=403
        )

    @path("")
    def overview(self, request):
        return self._refused(request) or self.render(request)

    @path("anmal/", name="enrol")
    def enrol(self, request):
        """Self-enrolment: a POST only, never a GET."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_authenticated:
            return redirect_to_login(self.url)
        refused = self._refused(request)
        if refused:
            return refused
        try:
            _enrolment, created = lms.enrol_learner(request.user, course=self)
        except lms.EnrolmentNotAllowed as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.url)
        if created:
            messages.success(request, _("You are enrolled. Welcome to the course!"))
        return HttpResponseRedirect(self.url)
