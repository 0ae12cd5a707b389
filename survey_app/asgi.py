"""ASGI entry point for servers that import the application (uvicorn workers, granian)."""

from survey_app.app import create_app

app = create_app()
