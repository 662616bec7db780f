"""Establishments of a territory: list, detail, create and edit, contacts, imports."""

from tremplin.www.establishments.views.contact_views import contact_add, contact_delete, contact_edit
from tremplin.www.establishments.views.detail_views import establishment_detail
from tremplin.www.establishments.views.edit_views import establishment_create, establishment_edit
from tremplin.www.establishments.views.import_views import (
    establishment_import,
    import_cancel,
    import_confirm,
    import_job,
    import_job_progress,
    import_template,
)
from tremplin.www.establishments.views.list_views import establishment_list

__all__ = [
    "contact_add",
    "contact_delete",
    "contact_edit",
    "establishment_create",
    "establishment_detail",
    "establishment_edit",
    "establishment_import",
    "establishment_list",
    "import_cancel",
    "import_confirm",
    "import_job",
    "import_job_progress",
    "import_template",
]
