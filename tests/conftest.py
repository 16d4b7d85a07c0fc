import pytest

from tests.factories import RecommendationFactory, SourceDocumentFactory


@pytest.fixture
def document(db):
    return SourceDocumentFactory()


@pytest.fixture
def recommendation(db):
    return RecommendationFactory()
