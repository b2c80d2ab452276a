"""Campaign tasks: invitations, reminders, the daily close (written with the campaign pages)."""
