"""What the administration's routes answer besides their page, for the OpenAPI document."""

from __future__ import annotations

from survey_app.web.pages import NOT_ADMIN_RESPONSE, html_response, redirect_response

# Redirects carry no body. Anonymous visitors of a page are sent to sign in first.
DONE_REDIRECT = {
    303: redirect_response(
        "Done: back to the page with a notice (not signed in: to the sign-in page)"
    )
}
CSRF_RESPONSE = {
    **DONE_REDIRECT,
    403: html_response("Not an administrator, or the form is out of date (CSRF)"),
}
ACCOUNT_RESPONSES = {**NOT_ADMIN_RESPONSE, 404: html_response("No account with this id")}
ACCOUNT_FORM_RESPONSES = {
    **CSRF_RESPONSE,
    404: html_response("No account with this id"),
    422: html_response("The account page again, with what is wrong"),
}
FORM_RESPONSES = {**CSRF_RESPONSE, 422: html_response("The form again, with what is wrong")}
