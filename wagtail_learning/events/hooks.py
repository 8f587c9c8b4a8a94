"""What events announce to other apps (Wagtail hooks)."""

from wagtail import hooks

# fn(*, user, session): a person attended a session live.
SESSION_ATTENDED = "events_session_attended"


def announce_attended(*, user, session) -> None:
    for fn in hooks.get_hooks(SESSION_ATTENDED):
        fn(user=user, session=session)
