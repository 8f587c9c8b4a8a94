"""Swedish for Wagtail's own messages that Wagtail 8.0's Swedish catalogue lacks.

Wagtail's Swedish translation (Transifex) covers about 85 % of its admin strings; the
messages new in Wagtail 7-8, among them the generic "%(model_name)s '%(object)s' updated and
published." that a quiz or certificate design (snippets with drafts) shows after publishing,
are missing, so an editor working in Swedish read them in English. Listing them here puts
them into our own catalogue (locale/sv, `make messages`), and LOCALE_PATHS is searched
before the apps' catalogues, so Django finds our Swedish first. This module is never
imported: it exists for makemessages. Remove an entry once Wagtail ships its translation.
"""

from django.utils.translation import gettext_noop

WAGTAIL_MESSAGES = [
    # Publishing and saving snippets with drafts (quizzes, certificate designs).
    gettext_noop("%(model_name)s '%(object)s' updated and published."),
    gettext_noop("%(model_name)s '%(object)s' created and published."),
    gettext_noop("%(model_name)s '%(object)s' has been scheduled for publishing."),
    gettext_noop("%(model_name)s '%(object)s' created and scheduled for publishing."),
    gettext_noop(
        "%(model_name)s '%(object)s' is live and this version has been scheduled for publishing."
    ),
    gettext_noop("%(model_name)s '%(object)s' has been submitted for moderation."),
    gettext_noop("%(model_name)s '%(object)s' created and submitted for moderation."),
    gettext_noop("%(model_name)s '%(object)s' has been replaced with version from %(timestamp)s."),
    gettext_noop("Workflow on %(model_name)s '%(object)s' has been cancelled."),
    gettext_noop("The %(model_name)s could not be saved as it is locked"),
    gettext_noop("Saving will overwrite a newer version."),
    gettext_noop("There are validation errors, click save to highlight them."),
    gettext_noop("The page could not be saved as it is locked."),
    gettext_noop("'%(page_title)s' has been moved successfully."),
    # Listings and forms.
    gettext_noop("There are no %(model_name)s to display."),
    gettext_noop("Create a new %(model_name)s"),
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop("One or more references to this %(model_name)s prevent it from being deleted."),
    gettext_noop("Date updated"),
    gettext_noop("Locked by"),
    gettext_noop("Saved"),
    gettext_noop("Autosave is paused"),
    gettext_noop("Compare"),
    gettext_noop("Refresh"),
    gettext_noop("Sort item order"),
    gettext_noop("Side panels"),
    gettext_noop("Minimap"),
]
