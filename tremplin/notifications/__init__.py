"""The platform's e-mails: one way to build them (plain-text templates, one language, absolute links)
and one way to send them (after the transaction commits). See :mod:`tremplin.notifications.mail`."""
