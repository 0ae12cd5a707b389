"""E-mail: invitations and reminders through an outbox in the database, sent over SMTP."""
