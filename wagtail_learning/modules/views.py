"""The module's routes: thin views that parse input, call one engine function, render."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from wagtail_learning.events import api as events
from wagtail_learning.lms import api as lms
from wagtail_learning.lms import http as lms_http
from wagtail_learning.packages import api as packages

from .captions import default_caption_track
from .rich_text import documents_linked_in


def _refuse(request, page, decision):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return TemplateResponse(
        request, "modules/module_locked.html", {"page": page, "decision": decision}, status=403
    )


def module_overview(request, page, preview: bool = False):
    cycle = None
    if not preview:
        decision = lms.check_module_access(user=request.user, module=page)
        if not decision.allowed:
            return _refuse(request, page, decision)
        cycle = decision.cycle
    context = page.get_context(request)
    context["module_state"] = lms.get_module_progress(user=request.user, module=page, cycle=cycle)
    if context["module_state"].completed_at:
        context.update(_module_complete_context(request, page))
    return TemplateResponse(request, page.get_template(request), context)


def _module_complete_context(request, page) -> dict:
    """For the "module complete" panel: the course's progress and where to go next."""
    course = page.get_parent().specific
    progress = lms.get_course_progress(user=request.user, course=course)
    return {"course_progress": progress, "next_module": progress.next_module_after(page.pk)}


def _step_context(request, page, block, step_id, cycle=None, record=False):
    state = lms.get_module_progress(user=request.user, module=page, cycle=cycle)
    specs = page.step_specs
    index = next(i for i, spec in enumerate(specs) if spec.step_id == step_id)
    context = page.get_context(request)
    context.update(
        {
            # Not "block": inside {% block %} Django binds that name to the template block.
            "step_block": block,
            "spec": specs[index],
            "step_state": state.steps[index],
            "module_state": state,
            "step_number": index + 1,
            "previous_spec": specs[index - 1] if index > 0 else None,
            "next_spec": specs[index + 1] if index + 1 < len(specs) else None,
        }
    )
    if state.completed_at and index + 1 == len(specs):
        context.update(_module_complete_context(request, page))
    if block.block_type == "lecture" and block.value["lecture"]:
        lecture = block.value["lecture"]
        context["lecture"] = lecture
        context["caption_tracks"] = list(lecture.caption_tracks.all())
        context["default_track"] = default_caption_track(context["caption_tracks"])
        context["chapters"] = list(lecture.chapters.all())
        context["transcript"] = lecture.transcript_entries(context["caption_tracks"])
    elif block.block_type == "live_session":
        context.update(_live_session_context(request, block))
    elif block.block_type == "package":
        context.update(
            packages.player_context(request, page, step_id, cycle=cycle, record=record)
        )
    elif block.block_type == "quiz" and block.value["quiz"] and request.user.is_authenticated:
        status = lms.get_quiz_status(request.user, module=page, step_id=step_id)
        context["quiz_status"] = status
        if status.open_attempt is not None:
            context["attempt"] = status.open_attempt
            context["questions"] = lms.get_attempt_questions(status.open_attempt, module=page)
        result_id = request.GET.get("resultat", "")
        if result_id.isdigit():
            with contextlib.suppress(lms.NotFound):
                context["result"] = lms.get_quiz_result(
                    request.user, module=page, attempt_id=int(result_id)
                )
    return context


def _recording_of(block):
    """The live-session step's session and its recording, when events' rule
    (`events.recording_of`) lets it be watched, else None."""
    from .models import live_session_of

    session = live_session_of(block.value)
    if session is None:
        return None, None
    return session, events.recording_of(session)


def _live_session_context(request, block) -> dict:
    session, recording = _recording_of(block)
    context = {
        "live_session": session,
        "live_event": block.value["event"],
        "attended": bool(
            session and request.user.is_authenticated and events.has_attended(request.user, session)
        ),
    }
    if recording is not None:
        tracks = list(recording.caption_tracks.all())
        context.update(
            lecture=recording,
            live_value={"lecture": recording},
            caption_tracks=tracks,
            chapters=list(recording.chapters.all()),
            transcript=recording.transcript_entries(tracks),
        )
    return context


def step(request, page, step_id: str, preview: bool = False):
    block = page.get_step_block(step_id)
    if preview:
        # An editor walking a preview: no access rules, nothing recorded.
        context = _step_context(request, page, block, step_id)
        return TemplateResponse(request, "modules/step_page.html", context)
    decision = lms.check_module_access(user=request.user, module=page)
    if not decision.allowed:
        return _refuse(request, page, decision)
    if block.block_type == "live_session" and request.method == "GET" and not decision.as_editor:
        # Attended before enrolling (or before the step was added): count it now.
        session, _recording = _recording_of(block)
        if session is not None and events.has_attended(request.user, session):
            with contextlib.suppress(lms.LmsError):
                lms.record_live_attendance(request.user, module=page, step_id=step_id)
    if request.method == "POST":
        return _step_post(request, page, block, step_id)
    context = _step_context(
        request, page, block, step_id, decision.cycle, record=not decision.as_editor
    )
    return TemplateResponse(request, "modules/step_page.html", context)


def _step_post(request, page, block, step_id: str):
    here = page.get_lms_step_url(step_id)
    kind = block.block_type
    try:
        if kind == "reading":
            lms.complete_step(request.user, module=page, step_id=step_id)
            messages.success(request, _("Marked as done."))
            return HttpResponseRedirect(here)
        if kind == "reflection":
            lms.save_reflection(
                request.user, module=page, step_id=step_id, answer=request.POST.get("answer", "")
            )
            messages.success(request, _("Your reflection is saved."))
            return HttpResponseRedirect(here)
        if kind == "quiz":
            if request.POST.get("action") == "start":
                lms.start_quiz_attempt(request.user, module=page, step_id=step_id)
                return HttpResponseRedirect(here)
            attempt_id = request.POST.get("attempt", "")
            if not attempt_id.isdigit():
                raise lms.InvalidInput(_("The form is missing its attempt number."))
            answers = {
                key[2:]: request.POST.getlist(key) for key in request.POST if key.startswith("q-")
            }
            result = lms.submit_quiz_attempt(
                request.user, module=page, attempt_id=int(attempt_id), answers=answers
            )
            return HttpResponseRedirect(f"{here}?resultat={result.attempt.pk}")
    except lms.LmsError as error:
        context = _step_context(request, page, block, step_id)
        context["error"] = error.message
        if kind == "reflection":
            context["reflection_answer"] = request.POST.get("answer", "")
        return TemplateResponse(
            request, "modules/step_page.html", context, status=lms_http.status_for(error)
        )
    return TemplateResponse(
        request, "405.html", {"message": _("This step takes no form.")}, status=405
    )


def _serve_field_file(request, field_file, content_type, download_name=None, same_origin=False):
    if not field_file:
        raise Http404
    try:
        return lms_http.serve_protected_file(
            request,
            storage_alias=lms.storage_alias_of(field_file.storage),
            name=field_file.name,
            content_type=content_type,
            download_name=download_name,
            same_origin=same_origin,
        )
    except FileNotFoundError as exc:
        raise Http404 from exc


def _open_step(request, page, step_id: str, kind: str, field: str):
    """(the step's chosen object, access decision) for a file route, or a response that
    refuses: 404 for a step that is not of this kind, 403 for a learner without access."""
    block = page.get_step_block(step_id)
    if kind == "lecture" and block.block_type == "live_session":
        _session, chosen = _recording_of(block)  # the recording, once the session is over
    elif block.block_type == kind:
        chosen = block.value[field]
    else:
        chosen = None
    if not chosen:
        raise Http404
    if kind == "lecture" and not chosen.is_ready:
        raise Http404  # a video still being processed (or refused) is never handed out
    decision = lms.check_module_access(user=request.user, module=page)
    if not decision.allowed:
        return None, lms_http.refuse_file(decision)
    return chosen, None


def lecture_video(request, page, step_id: str):
    lecture, refused = _open_step(request, page, step_id, "lecture", "lecture")
    if refused:
        return refused
    return _serve_field_file(request, lecture.video, lecture.video_content_type)


def lecture_captions(request, page, step_id: str, track_id: int):
    lecture, refused = _open_step(request, page, step_id, "lecture", "lecture")
    if refused:
        return refused
    track = lecture.caption_tracks.filter(pk=track_id).first()
    if track is None:
        raise Http404
    # A <track> loads only from our own origin (another would need CORS): never redirected.
    return _serve_field_file(request, track.file, "text/vtt; charset=utf-8", same_origin=True)


def step_document(request, page, step_id: str):
    """Opening the document through our link is what completes a document step."""
    document, refused = _open_step(request, page, step_id, "document", "document")
    if refused:
        return refused
    response = _serve_field_file(
        request, document.file, document.content_type, download_name=document.filename
    )
    lms.record_document_opened(request.user, module=page, step_id=step_id)
    return response


def linked_document(request, page, step_id: str, document_id: int):
    """A document linked in a step's rich text (a reading), for those with access to the
    module; only documents the step links to. Opening it completes nothing."""
    block = page.get_step_block(step_id)
    if document_id not in documents_linked_in(block):
        raise Http404
    decision = lms.check_module_access(user=request.user, module=page)
    if not decision.allowed:
        return lms_http.refuse_file(decision)
    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        raise Http404
    return _serve_field_file(
        request, document.file, document.content_type, download_name=document.filename
    )
