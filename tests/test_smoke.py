def test_home_redirects_anonymous_to_login(client, db):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
