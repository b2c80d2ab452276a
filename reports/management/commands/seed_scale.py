from django.core.management.base import BaseCommand, CommandError

from reports.scale import DEFAULTS, DOMAIN, PASSWORD, has_data, seed_scale


class Command(BaseCommand):
    help = ("Generate the scale data set for the benchmarks (reports/scale.py): at factor 1, "
            + ", ".join(f"{n:,} {what}" for what, n in DEFAULTS.items())
            + ", with everything the reports need. Writes into an empty database only, unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=1.0,
                            help="Scale every count (0.1 gives a tenth of the default set). Default 1.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same data. Default 1.")
        parser.add_argument("--force", action="store_true",
                            help="Add the set to a database that already has people or departments.")

    def handle(self, *args, factor, seed, force, **options):
        if factor <= 0:
            raise CommandError("--factor must be positive.")
        if has_data() and not force:
            raise CommandError("This database already has people or departments. seed_scale writes into an empty "
                               "database (create one, run migrate, then seed_scale), or pass --force to add the "
                               "scale set next to the existing data.")
        seed_scale(factor=factor, seed=seed, force=force, out=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"Sign in as coordinator<N>@{DOMAIN}, mentor<N>@{DOMAIN} or resident<N>@{DOMAIN} "
            f"(N: the user's id), password: {PASSWORD}"))
