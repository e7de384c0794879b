"""Confidentiality (AC-01): the first version of the text every staff member acknowledges,
so a new installation asks from the first sign-in on. Based on the terms, section 7.11
("Geheimhoudingsplicht", "Medewerkers met toegang tot klantgegevens"); the privacy officer
publishes later versions from the register page."""

from django.db import migrations

FIRST_TEXT_EN = """Customers trust us with information that is sensitive to their business, \
stored in our software and our hosting. Everyone who works for us keeps that information \
confidential, as the employment contract already requires.

1. I keep all customer data I see or could see confidential, during my employment and \
after it ends.
2. I only access customer data when my work needs it and I am allowed to: system \
administrators for installing versions, patches and hotfixes, managing backups and moving \
data within the hosting domain; product developers only temporarily, in necessary cases, \
with the ICT manager's approval; everyone else only with the customer's explicit consent.
3. I do not give customer data to anyone outside the processor, and I do not use it for \
any other purpose than the one agreed with the customer.
4. A copy of a customer environment made for a support question is deleted as soon as the \
question is answered, and I record that I accessed it.
5. I report a (possible) data breach to the privacy officer at once."""

FIRST_TEXT_NL = """Klanten vertrouwen ons informatie toe die bedrijfsgevoelig is, opgeslagen in \
onze software en onze hosting. Iedereen die voor ons werkt houdt die informatie geheim, zoals \
de arbeidsovereenkomst al verplicht.

1. Ik houd alle klantgegevens die ik zie of zou kunnen zien geheim, tijdens mijn \
dienstverband en daarna.
2. Ik kom alleen aan klantgegevens als mijn werk dat vraagt en het mag: systeembeheerders \
voor het installeren van versies, patches en hotfixes, het beheren van back-ups en het \
verplaatsen van gegevens binnen het hostingdomein; productontwikkelaars alleen tijdelijk, in \
noodzakelijke gevallen, met goedkeuring van de manager ICT; alle anderen alleen met \
uitdrukkelijke toestemming van de klant.
3. Ik geef geen klantgegevens aan iemand buiten de verwerker en gebruik ze niet voor een \
ander doel dan met de klant is afgesproken.
4. Een kopie van een klantomgeving voor een supportvraag wordt verwijderd zodra de vraag \
beantwoord is, en ik leg vast dat ik die kopie heb ingezien.
5. Een (mogelijk) datalek meld ik direct bij de privacy officer."""


def first_text_create(apps, schema_editor):
    text_model = apps.get_model("access", "ConfidentialityText")
    if not text_model.objects.exists():
        text_model.objects.create(version=1, text_en=FIRST_TEXT_EN, text_nl=FIRST_TEXT_NL)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(first_text_create, migrations.RunPython.noop)]
