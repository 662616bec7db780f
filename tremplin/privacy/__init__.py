"""Personal data (RGPD): export and erase what the platform holds on a person, and purge what has
outlived its use.

- :mod:`tremplin.privacy.holders` lists every place that holds personal data (a registry: a feature
  that stores names or e-mail addresses adds its holder there).
- :mod:`tremplin.privacy.services` exports everything held on a person as a JSON document, and erases
  it (deleting what is only about the person, anonymising what the platform must keep: a user account
  other records point to, an application of an EPCI, a registration to an event). The audit log keeps
  the actions but not the personal data: the person's e-mail and names are blanked in its entries.
- :mod:`tremplin.privacy.retention` purges expired invitations, expired sessions, old form submissions
  and audit entries past their retention (``tremplin purge``).
"""
