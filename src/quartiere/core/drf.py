"""DRF helpers shared by the contexts' api modules."""

from rest_framework.permissions import DjangoModelPermissions


class ViewPermission(DjangoModelPermissions):
    """Model capabilities for the API, with ``view_<model>`` required to read."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}
