"""One-time form submissions: a form that creates something is sent once, however often it is posted.

A create form carries a random key (:func:`new_submission_key`), put in the page when the form is shown.
The operation that creates the object passes it to :func:`submit_once`, which records the key with the
object in the same transaction under a unique constraint: a second post of the same form (a double
click, a reload, a browser retry) finds the object already created and returns it instead of creating a
duplicate, even when both posts arrive at the same time.
"""
