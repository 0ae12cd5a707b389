"""Infrastructure every capability uses: settings, the database, translations, the clock,
hashing, errors and the command-line toolkit. Imports no capability package."""
