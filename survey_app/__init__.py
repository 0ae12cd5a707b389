"""Klankbord: self-hosted employee surveys with anonymity by design."""

import os

# Piccolo's own tooling (migrations) finds the database through this module.
os.environ.setdefault("PICCOLO_CONF", "survey_app.core.piccolo_conf")
