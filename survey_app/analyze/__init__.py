"""`survey-app analyze`: the analysis engine on exported files (also from other tools)."""
