"""Single-column indexes that no query needs, dropped (see the comments in cases.models;
how: core.schema.without_own_indexes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from onewindow.core.schema import without_own_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_received_index"),
        ("catalogue", "0002_versions_review_and_search"),
        ("halls", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Before the single-column index of received_by goes: it leads this one.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["received_by", "status"], name="case_received_by_status"),
        ),
        without_own_indexes(
            "cases",
            [
                migrations.AlterField(
                    model_name="case",
                    name="current_assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="waiting for",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="hall",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="halls.hall",
                        verbose_name="hall",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="item_version",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="catalogue.itemversion",
                        verbose_name="item version",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="received_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="received by",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("correction", "Waiting for correction"),
                            ("accepted", "In progress"),
                            ("suspended", "Suspended"),
                            ("concluded", "Concluded"),
                            ("delivered", "Delivered"),
                            ("refused", "Not accepted"),
                            ("withdrawn", "Withdrawn"),
                            ("void", "Void"),
                        ],
                        default="received",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="halls.window",
                        verbose_name="window",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="cases.case",
                    ),
                ),
                migrations.AlterField(
                    model_name="caseevent",
                    name="window",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="halls.window",
                    ),
                ),
            ],
        ),
    ]
