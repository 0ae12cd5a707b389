"""Survey waves: creating them from a template, inviting employees, opening and closing."""
