from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ProcuringEntity(models.Model):
    """A ministry, agency or local government that buys."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Central government")
        LOCAL = "local", _("Local government")
        PUBLIC_BODY = "public_body", _("Public body")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CENTRAL)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("procuring entity")
        verbose_name_plural = _("procuring entities")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_ko


class Official(models.Model):
    """A user's membership of one procuring entity; officials act only for it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official")
    entity = models.ForeignKey(ProcuringEntity, on_delete=models.PROTECT, related_name="officials")
    title = models.CharField(_("job title"), max_length=120, blank=True)
    can_approve = models.BooleanField(_("can approve publication"), default=False)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self):
        return f"{self.user} @ {self.entity.code}"
