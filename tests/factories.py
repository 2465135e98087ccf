"""Test data. Roles come from the real groups that the migrations create."""

import factory
from factory.django import DjangoModelFactory

from booker import roles, services
from booker.models import Company, Membership, User

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            services.assign_role(self, extracted)


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)


def user_with_role(role: str | None, **kwargs) -> User:
    if role == "superuser":
        return UserFactory(is_staff=True, is_superuser=True, **kwargs)
    return UserFactory(role=role, **kwargs)


ROLE_NAMES = (
    None,
    roles.PHOTOGRAPHER,
    roles.RETOUCHER,
    roles.EDITOR,
    roles.SHOP_MANAGER,
    "superuser",
)


class SessionTypeFactory(DjangoModelFactory):
    """A session type booked online (booker.booking): one hour, no buffer, no notice."""

    class Meta:
        model = "booker.SessionType"

    name = factory.Sequence(lambda n: f"Portrait {n}")
    slug = factory.Sequence(lambda n: f"portrait-{n}")
    duration_minutes = 60
    slot_increment_minutes = 30
    minimum_notice_hours = 0
    horizon_days = 365
