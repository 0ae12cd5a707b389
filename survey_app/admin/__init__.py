"""Administration: accounts and their roles, manager scopes and the anonymity thresholds."""
