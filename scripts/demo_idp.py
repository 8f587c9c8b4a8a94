"""A local OpenID Connect provider for trying sign-in with the demo (LMS_DEMO_IDP=1 make
demo): oidc-provider-mock (a test tool, pinned in requirements-dev.lock) on
127.0.0.1:$LMS_DEMO_IDP_PORT, with the demo learner of Huddinge kommun as a predefined
person (employee number 999, so the first sign-in links the imported account). Not for
production: it signs in anyone who types a name."""

import os
import time

import oidc_provider_mock

PORT = int(os.environ.get("LMS_DEMO_IDP_PORT", "9400"))
USERS = [
    oidc_provider_mock.User(
        sub="huddinge-learner",
        claims={"employee_number": "999", "email": "learner@huddinge.se"},
    ),
    oidc_provider_mock.User(
        sub="huddinge-new-hire",
        claims={
            "employee_number": "4711",
            "email": "ny.medarbetare@huddinge.se",
            "given_name": "Nya",
            "family_name": "Medarbetaren",
        },
    ),
]

with oidc_provider_mock.run_server_in_thread(
    port=PORT, require_nonce=True, user_claims=USERS
) as server:
    print(f"Demo identity provider on http://127.0.0.1:{server.server_port}/", flush=True)
    while True:
        time.sleep(3600)
