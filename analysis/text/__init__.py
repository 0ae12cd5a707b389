"""Free-text comments: redaction, language, tokens and themes (taxonomy plus discovery)."""
