"""A bare Litestar app with the same route shape as the survey flow, without a database.

It is the yardstick for ``bench/load.py``: served by the same uvicorn, with the same worker
count, log configuration and concurrency, it shows what this machine can do for the HTTP
part alone, so the survey figures can be read as a ratio instead of an absolute number.

Routes (mirroring the respondent's journey, no session, no templates, no database):

- ``GET /s/{token}``  → 303 to ``/survey``
- ``GET /survey``     → a small HTML page
- ``POST /survey``    → parses the form, 303 to ``/survey/thanks``
- ``GET /health``     → ``{"status": "ok"}``

Serve it exactly as ``survey-app serve`` serves the real app::

    python bench/bare_app.py --port 8001 --workers 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from litestar import Litestar, Request, get, post
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

PAGE = (
    "<!doctype html><html lang=nl><head><meta charset=utf-8><title>Bare</title></head>"
    '<body><form method=post action="/survey"><input name=enps value=8>'
    "<button>Verstuur</button></form></body></html>"
)


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/s/{token:str}", sync_to_thread=False)
def start(token: str) -> Redirect:
    return Redirect("/survey", status_code=HTTP_303_SEE_OTHER)


@get("/survey", media_type="text/html", sync_to_thread=False)
def survey() -> str:
    return PAGE


@post("/survey")
async def submit(request: Request) -> Redirect:
    form = await request.form()
    if not form:
        return Redirect("/survey", status_code=HTTP_303_SEE_OTHER)
    return Redirect("/survey/thanks", status_code=HTTP_303_SEE_OTHER)


app = Litestar(route_handlers=[health, start, survey, submit])


def main() -> None:
    """Serve with the same server, socket and settings as ``survey-app serve``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    project_root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(project_root))
    from survey_app.core.serving import serve

    serve(
        "bare_app:app",
        app_dir=str(Path(__file__).resolve().parent),
        host=args.host,
        port=args.port,
        workers=args.workers,
    )


if __name__ == "__main__":
    main()
