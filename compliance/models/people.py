"""Everyone who signs in: users and their roles."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from compliance.models.organisation import Customer, Language


class Role(models.TextChoices):
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ICT_MANAGER = "ict_manager", _("ICT manager")
    BOARD_MEMBER = "board_member", _("Board member")
    AUDITOR = "auditor", _("Auditor")
    STAFF_MEMBER = "staff_member", _("Staff member")
    CUSTOMER_CONTACT = "customer_contact", _("Customer contact")
    CUSTOMER_ADMIN = "customer_admin", _("Customer administrator")


STAFF_ROLES = {
    Role.PRIVACY_OFFICER,
    Role.ICT_MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
    Role.STAFF_MEMBER,
}
CUSTOMER_ROLES = {Role.CUSTOMER_CONTACT, Role.CUSTOMER_ADMIN}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.PRIVACY_OFFICER)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in; the e-mail address is the identifier.

    Staff have a processor role; customer users belong to one customer. An auditor with a
    customer is engaged by that customer and sees only its records; without one, it is the
    processor's ISO 27001 auditor and sees everything read-only.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("customer"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default="en")
    confidentiality_acknowledged_on = models.DateField(
        _("confidentiality acknowledged on"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("May open the Django admin (still limited by role)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Part of every session's auth hash: changing it signs the user out everywhere (after a
    # factor reset, for example).
    security_stamp = models.UUIDField(default=uuid.uuid4, editable=False)
    # Until when this account may enrol its first second factor (set by an accepted
    # invitation or a factor reset); after it, or when empty, it can enrol none (ON-01).
    factor_enrolment_until = models.DateTimeField(
        _("second factor to be set up before"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login", "security_stamp"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["customer_contact", "customer_admin"])
                | Q(customer__isnull=False),
                name="customer_user_has_customer",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["customer_contact", "customer_admin", "auditor"])
                | Q(customer__isnull=True),
                name="only_customer_users_and_auditors_have_customer",
            ),
        ]

    def __str__(self):
        return self.email

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "compliance.User.session_auth_hash",
            f"{self.password}:{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_customer_user(self) -> bool:
        return self.role in CUSTOMER_ROLES

    @property
    def is_processor_staff(self) -> bool:
        return self.role in STAFF_ROLES and not (self.role == Role.AUDITOR and self.customer_id)
