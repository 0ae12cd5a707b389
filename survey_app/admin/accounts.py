"""Administrators' account pages: list and search, create, roles, manager scope, password,
unlock and ending sessions. Every change goes through `survey_app.accounts.service`."""

from __future__ import annotations

from typing import Annotated, ClassVar

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from survey_app.accounts.approvals import can_see_results, pending_changes, request_change
from survey_app.accounts.cookies import expired_session_cookie
from survey_app.accounts.directory import (
    account_details,
    account_row,
    matching_accounts,
    summaries,
)
from survey_app.accounts.passwords import MIN_LENGTH, PasswordProblems
from survey_app.accounts.service import (
    adjust_scope,
    create_account,
    end_sessions_by_administrator,
    set_password,
    set_roles,
    unlock,
)
from survey_app.admin.responses import (
    ACCOUNT_FORM_RESPONSES,
    ACCOUNT_RESPONSES,
    CSRF_RESPONSE,
    FORM_RESPONSES,
)
from survey_app.core.errors import N_, AppError
from survey_app.core.principal import Principal
from survey_app.core.settings import Settings
from survey_app.web.access import Rule, access
from survey_app.web.forms import (
    Checkbox,
    Choice,
    Flag,
    Form,
    FormData,
    FormValues,
    Text,
    displayable,
    form_values,
)
from survey_app.web.pages import NOT_ADMIN_RESPONSE, html_response, page, see_other, url
from survey_app.web.paging import MAX_PAGE, Paging

USERS_PER_PAGE = 25


class NewAccountForm(Form):
    username = Text(max_length=254)
    display_name = Text(max_length=200)
    employee_number = Text(max_length=64)
    password = Text(max_length=1024)
    sso_only = Checkbox()
    is_hr = Checkbox()
    is_admin = Checkbox()
    messages: ClassVar[dict[str, str]] = {
        "password_required": N_(
            "Enter an initial password, or choose that the account signs in only with the "
            "organisation account."
        ),
    }


class RolesForm(Form):
    is_hr = Flag()
    is_admin = Flag()
    active = Flag()


class ScopeForm(Form):
    department = Text(max_length=64, strip=True, required="department_required")
    granted = Choice(frozenset({"1", "0"}), problem="choose_add_or_remove")
    messages: ClassVar[dict[str, str]] = {
        "department_required": N_("Enter the code of a department."),
        "choose_add_or_remove": N_("Choose whether to add or remove the department."),
    }


class PasswordForm(Form):
    password = Text(max_length=1024)


def new_account_page(
    request: Request,
    *,
    status_code: int = 200,
    values: FormValues | None = None,
    problems: list[tuple[str, str]] | None = None,
) -> Template:
    return page(
        request,
        "admin/user_new.html",
        status_code=status_code,
        values=displayable(values or {}),
        problems=problems or [],
        min_length=MIN_LENGTH,
    )


async def account_page(
    request: Request,
    settings: Settings,
    principal: Principal,
    account_id: int,
    *,
    status_code: int = 200,
    problems: dict[str, list[str]] | None = None,
    scope_code: str = "",
    done: str = "",
) -> Template:
    """One account: facts, roles, manager scope, password, lock and sessions."""
    details = await account_details(
        account_id,
        timezone=settings.timezone,
        idle=settings.session_idle,
        absolute=settings.session_absolute,
    )
    return page(
        request,
        "admin/user.html",
        status_code=status_code,
        account=details.account,
        is_self=account_id == principal.account_id,
        has_password=details.has_password,
        created=details.created,
        locked_until=details.locked_until,
        employee_department=details.employee_department,
        imported_scope=details.imported_scope,
        adjustments=details.adjustments,
        scope_roots=details.scope_roots,
        departments=details.departments,
        sessions=details.sessions,
        problems=problems or {},
        scope_code=scope_code,
        done=done,
        min_length=MIN_LENGTH,
        pending=await pending_changes(account_id),
    )


async def refused(
    request: Request,
    settings: Settings,
    principal: Principal,
    account_id: int,
    section: str,
    form: FormData,
    **extra: str,
) -> Template:
    """The account page again (422) with the form's problems at its section, each once."""
    messages = list(dict.fromkeys(message for _field, message in form.messages()))
    return await account_page(
        request,
        settings,
        principal,
        account_id,
        status_code=422,
        problems={section: messages},
        **extra,
    )


def done(request: Request, account_id: int, what: str) -> Redirect:
    return see_other(request, "admin:user", {"done": what}, account_id=account_id)


class AccountAdminController(Controller):
    path = "/users"
    opt = access(Rule.ADMIN)

    @get("/", name="admin:users", responses=NOT_ADMIN_RESPONSE)
    async def users(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        search: Annotated[str, QueryParameter(name="q", max_length=254)] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> Template:
        search = search.strip()
        rows = await matching_accounts(search)
        paging = Paging.of(page_number, len(rows), USERS_PER_PAGE)
        shown = rows[paging.offset : paging.offset + USERS_PER_PAGE]

        def link(number: int) -> str:
            return url(
                request, "admin:users", {"q": search, "page": str(number) if number > 1 else ""}
            )

        return page(
            request,
            "admin/users.html",
            accounts=await summaries(shown, settings.timezone),
            paging=paging,
            query=search,
            previous_link=link(paging.page - 1),
            next_link=link(paging.page + 1),
        )

    @get("/new", name="admin:user_new", responses=NOT_ADMIN_RESPONSE)
    async def new_account(self, request: Request) -> Template:
        return new_account_page(request)

    @post(
        "/",
        name="admin:user_create",
        status_code=HTTP_303_SEE_OTHER,
        responses=FORM_RESPONSES,
    )
    async def create(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        values = await form_values(request)
        form = NewAccountForm.read(values)
        if not form["sso_only"] and not form["password"] and form["password"] is not None:
            form.add("password_required", field="password")
        if form.ok:
            try:
                # The HR role waits for a second administrator (four eyes): the account is
                # made without it, and the grant is requested.
                account_id = await create_account(
                    username=form["username"],
                    display_name=form["display_name"],
                    password=None if form["sso_only"] else form["password"],
                    actor=principal.username,
                    employee_number=form["employee_number"],
                    is_hr=False,
                    is_admin=form["is_admin"],
                )
                if form["is_hr"]:
                    await request_change("grant_hr", account_id, actor=principal.username)
            except AppError as error:
                form.add_error(
                    error, field="password" if isinstance(error, PasswordProblems) else ""
                )
        if not form.ok:
            return new_account_page(
                request, status_code=422, values=values, problems=form.messages()
            )
        return done(request, account_id, "created_pending" if form["is_hr"] else "created")

    @get("/{account_id:int}", name="admin:user", responses=ACCOUNT_RESPONSES)
    async def account(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        account_id: int,
        done: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return await account_page(request, settings, principal, account_id, done=done)

    @post(
        "/{account_id:int}/roles",
        name="admin:user_roles",
        status_code=HTTP_303_SEE_OTHER,
        responses=ACCOUNT_FORM_RESPONSES,
    )
    async def roles(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        account_id: int,
    ) -> Template | Redirect:
        account = await account_row(account_id)
        form = RolesForm.read(await form_values(request))
        own = account_id == principal.account_id
        # Granting HR to someone else waits for a second administrator; the rest applies
        # now. (One's own HR role is refused by `set_roles`.)
        grant_hr = bool(form["is_hr"]) and not account["is_hr"] and not own
        if form.ok:
            try:
                if grant_hr:
                    await request_change(
                        "grant_hr",
                        account_id,
                        actor=principal.username,
                        actor_id=principal.account_id,
                    )
                await set_roles(
                    account_id,
                    is_hr=False if grant_hr else form["is_hr"],
                    is_admin=form["is_admin"],
                    active=form["active"],
                    actor=principal.username,
                    actor_id=principal.account_id,
                )
            except AppError as error:
                form.add_error(error)
        if not form.ok:
            return await refused(request, settings, principal, account_id, "roles", form)
        return done(request, account_id, "roles_pending" if grant_hr else "roles")

    @post(
        "/{account_id:int}/scope",
        name="admin:user_scope",
        status_code=HTTP_303_SEE_OTHER,
        responses=ACCOUNT_FORM_RESPONSES,
    )
    async def scope(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        account_id: int,
    ) -> Template | Redirect:
        await account_row(account_id)
        form: FormData = ScopeForm.read(await form_values(request))
        granting = form["granted"] == "1"
        if form.ok:
            try:
                if granting:
                    # A department more to read: waits for a second administrator.
                    await request_change(
                        "grant_scope",
                        account_id,
                        actor=principal.username,
                        actor_id=principal.account_id,
                        department_code=form["department"],
                    )
                else:
                    await adjust_scope(
                        account_id,
                        form["department"],
                        granted=False,
                        actor=principal.username,
                        actor_id=principal.account_id,
                    )
            except AppError as error:
                form.add_error(error)
        if not form.ok:
            return await refused(
                request,
                settings,
                principal,
                account_id,
                "scope",
                form,
                scope_code=form.typed["department"][:64].strip(),
            )
        return done(request, account_id, "scope_pending" if granting else "scope")

    @post(
        "/{account_id:int}/password",
        name="admin:user_password",
        status_code=HTTP_303_SEE_OTHER,
        responses=ACCOUNT_FORM_RESPONSES,
    )
    async def password(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        account_id: int,
    ) -> Template | Redirect:
        await account_row(account_id)
        form = PasswordForm.read(await form_values(request))
        pending = form.ok and await can_see_results(account_id)
        if pending:
            # A password known to an administrator on an account that reads results: only
            # with a second administrator's approval.
            try:
                await request_change(
                    "set_password", account_id, actor=principal.username, password=form["password"]
                )
            except AppError as error:
                form.add_error(error)
        elif form.ok:
            try:
                await set_password(
                    account_id,
                    form["password"],
                    actor=principal.username,
                    own_change=False,
                    # An administrator setting their own password here stays signed in.
                    keep_session=principal.session_id
                    if account_id == principal.account_id
                    else None,
                )
            except AppError as error:
                form.add_error(error)
        if not form.ok:
            return await refused(request, settings, principal, account_id, "password", form)
        return done(request, account_id, "password_pending" if pending else "password")

    @post(
        "/{account_id:int}/unlock",
        name="admin:user_unlock",
        status_code=HTTP_303_SEE_OTHER,
        responses={**CSRF_RESPONSE, 404: html_response("No account with this id")},
    )
    async def unlock_account(
        self, request: Request, principal: NamedDependency[Principal], account_id: int
    ) -> Redirect:
        await account_row(account_id)
        await unlock(account_id, actor=principal.username)
        return done(request, account_id, "unlocked")

    @post(
        "/{account_id:int}/sign-out",
        name="admin:user_sign_out",
        status_code=HTTP_303_SEE_OTHER,
        responses={**CSRF_RESPONSE, 404: html_response("No account with this id")},
    )
    async def sign_out(
        self,
        request: Request,
        settings: NamedDependency[Settings],
        principal: NamedDependency[Principal],
        account_id: int,
    ) -> Redirect:
        await account_row(account_id)
        await end_sessions_by_administrator(account_id, actor=principal.username)
        if account_id == principal.account_id:
            return see_other(
                request,
                "auth:sign_in",
                {"signed_out": "1"},
                cookies=[expired_session_cookie(settings)],
            )
        return done(request, account_id, "signed_out")
