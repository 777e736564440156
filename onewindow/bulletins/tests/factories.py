from onewindow.bulletins import services


def make_bulletins_world(p) -> dict:
    """A bulletin published to the personas' hall and a draft."""
    bulletin = services.save_bulletin(actor=p.admin, title="通报", body="正文", halls=[p.hall])
    services.publish_bulletin(actor=p.admin, bulletin=bulletin)
    draft = services.save_bulletin(actor=p.admin, title="草稿", body="正文", halls=[p.hall])
    return {
        "bulletin_pk": bulletin.pk,
        "bulletin_draft_pk": draft.pk,
        "bulletin_draft_key": draft.key,
        "bulletin_attachment_pk": 999999,
    }
