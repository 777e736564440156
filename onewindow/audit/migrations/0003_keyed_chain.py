"""The audit chain is keyed (HMAC-SHA256): rows written before keep their SHA-256 and are
marked scheme 1; every new row is scheme 2. No hash is rewritten (see docs/apps/audit.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_fewer_indexes'),
    ]

    operations = [
        # Existing rows: scheme 1 (unkeyed SHA-256) ...
        migrations.AddField(
            model_name='auditentry',
            name='scheme',
            field=models.PositiveSmallIntegerField(choices=[(1, 'SHA-256, written before the key'), (2, 'HMAC-SHA256 with the audit key')], default=1, verbose_name='hash scheme'),
        ),
        # ... and from now on the keyed scheme.
        migrations.AlterField(
            model_name='auditentry',
            name='scheme',
            field=models.PositiveSmallIntegerField(choices=[(1, 'SHA-256, written before the key'), (2, 'HMAC-SHA256 with the audit key')], default=2, verbose_name='hash scheme'),
        ),
    ]
