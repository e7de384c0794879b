"""manage.py verify_evidence_bundle FILE --fingerprint SHA256 (AU-03): the very script a
bundle carries (audits/verify_bundle.py), run here; one implementation of the checks."""

from django.core.management.base import BaseCommand, CommandError

from audits import verify_bundle


class Command(BaseCommand):
    help = "Verify a sealed evidence bundle with the verifier script it carries."

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="the downloaded bundle (ZIP)")
        parser.add_argument(
            "--fingerprint",
            help="SHA-256 fingerprint of the seal certificate (default: this server's seal)",
        )

    def handle(self, *args, bundle, fingerprint=None, **options):
        if not fingerprint:
            from audits.seal import seal

            fingerprint = seal().fingerprint
        if not verify_bundle.verify(bundle, fingerprint, out=self.stdout):
            raise CommandError("the evidence bundle did not verify")
