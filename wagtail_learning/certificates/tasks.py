"""django-q2 task entry points. Each is idempotent: the queue delivers at least once."""

from . import services


def render_certificate_task(certificate_id: int) -> str:
    certificate = services.render_certificate(certificate_id)
    return certificate.status if certificate else "missing"


def sweep_certificates_task() -> int:
    return services.sweep_certificates()


def issue_certificate_task(completion_id: int) -> str:
    certificate = services.issue_certificate_for_completion(completion_id)
    return certificate.status if certificate else "no certificate"


def render_unit_certificate_task(certificate_id: int) -> str:
    from .units import render_unit_certificate

    certificate = render_unit_certificate(certificate_id)
    return certificate.status if certificate else "missing"


def render_unit_certificates_task(certificate_ids: list[int]) -> list[str]:
    """Render a day's new unit certificates; each is tried even when another fails, and
    the task fails (to be retried: a ready one is left alone) when any did."""
    from .units import render_unit_certificate

    statuses, failed = [], None
    for certificate_id in certificate_ids:
        try:
            certificate = render_unit_certificate(certificate_id)
        except Exception as error:  # marked FAILED by render_unit_certificate
            failed = error
            statuses.append("failed")
            continue
        statuses.append(certificate.status if certificate else "missing")
    if failed is not None:
        raise failed
    return statuses
