from django.urls import reverse


def url(directive):
    return reverse("readiness:directive_detail", args=[directive.pk])


def test_every_member_reads_the_directive(client, world):
    for user in (
        world.staff,
        world.observer,
        world.district_b_officer,
        world.postal_officer,
    ):
        client.force_login(user)
        r = client.get(url(world.directive))
        assert r.status_code == 200
        assert world.directive.number in r.content.decode()


def test_it_lists_the_obligations_with_their_deadlines(client, world):
    client.force_login(world.telecom_officer)
    body = client.get(url(world.directive)).content.decode()
    for code in ("D2", "P1", "T1", "ALL"):
        assert f'<span class="obligation-code">{code}</span>' in body
    assert "17:00 23/04/2021" in body  # T1 at E−30


def test_anonymous_is_sent_to_login(client, world):
    assert client.get(url(world.directive)).status_code == 302


def test_a_user_without_an_organisation_gets_404(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(url(world.directive)).status_code == 404


def test_a_bad_id_is_404(client, world):
    client.force_login(world.staff)
    assert (
        client.get(reverse("readiness:directive_detail", args=[424242])).status_code
        == 404
    )
