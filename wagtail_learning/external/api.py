"""The public way into external participation for other apps (the demo, tests)."""

from .models import ExternalOrganisation, ExternalRegistration, Recognition, RecognitionRule
from .services import (
    NewOrganisation,
    approve_organisation,
    evaluate_recognitions,
    get_listed_organisations,
    get_recognition,
    get_register,
    give_consent,
    register_participant,
    set_contact_person,
    verify_registration,
    withdraw_recognition,
)
from .vocabulary import ApprovalStatus, RecognitionState, RuleKind, VerifyOutcome

__all__ = [
    "ApprovalStatus",
    "ExternalOrganisation",
    "ExternalRegistration",
    "NewOrganisation",
    "Recognition",
    "RecognitionRule",
    "RecognitionState",
    "RuleKind",
    "VerifyOutcome",
    "approve_organisation",
    "evaluate_recognitions",
    "get_listed_organisations",
    "get_recognition",
    "get_register",
    "give_consent",
    "register_participant",
    "set_contact_person",
    "verify_registration",
    "withdraw_recognition",
]
