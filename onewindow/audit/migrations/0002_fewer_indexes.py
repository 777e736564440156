"""Audit columns no search filters on lose their indexes (see audit.models; how:
core.schema.without_own_indexes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from onewindow.core.schema import without_own_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        without_own_indexes(
            "audit",
            [
                migrations.AlterField(
                    model_name="auditentry",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="object_id",
                    field=models.CharField(blank=True, max_length=64, verbose_name="object id"),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="object_type",
                    field=models.CharField(max_length=64, verbose_name="object type"),
                ),
            ],
        ),
    ]
