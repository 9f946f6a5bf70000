"""Initial schema: Handelsregister objects with materiële and formele historie, and the
operational tables (afnemers, autorisaties, afnemerindicaties, KVK signals, bedrijf_nieuw queue,
outbox, protocol log, KVK request log, replay cache).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Plain column types, so this migration never changes when application types do.
TS = sa.DateTime(timezone=True)
JSONDOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ['afnemer', 'afnemerindicatie', 'bedrijf_nieuw', 'kvk_request', 'kvk_signaal', 'mac_versie', 'nnp_versie', 'outbox', 'protocol_log', 'replay_cache', 'ves_versie', 'autorisatie', 'ves_handelsnaam']


def upgrade() -> None:
    op.create_table('afnemer',
    sa.Column('oin', sa.String(length=20), nullable=False),
    sa.Column('naam', sa.String(length=200), nullable=False),
    sa.Column('profiel', sa.String(length=16), nullable=False),
    sa.Column('applicatie', sa.String(length=100), nullable=False),
    sa.Column('kennisgeving_url', sa.String(length=500), nullable=False),
    sa.Column('actief', sa.Boolean(), nullable=False),
    sa.Column('gebruikersnaam', sa.String(length=100), nullable=True),
    sa.Column('wachtwoord_hash', sa.String(length=200), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('oin', name=op.f('pk_afnemer')),
    sa.UniqueConstraint('gebruikersnaam', name=op.f('uq_afnemer_gebruikersnaam'))
    )
    op.create_table('afnemerindicatie',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('afnemer_oin', sa.String(length=20), nullable=False),
    sa.Column('entiteittype', sa.String(length=10), nullable=False),
    sa.Column('object_sleutel', sa.String(length=40), nullable=False),
    sa.Column('sinds', TS, nullable=False),
    sa.Column('bron', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_afnemerindicatie')),
    sa.UniqueConstraint('afnemer_oin', 'entiteittype', 'object_sleutel', name='uq_afnemerindicatie_object')
    )
    with op.batch_alter_table('afnemerindicatie', schema=None) as batch_op:
        batch_op.create_index('ix_afnemerindicatie_object', ['entiteittype', 'object_sleutel'], unique=False)

    op.create_table('bedrijf_nieuw',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('bron', sa.String(length=16), nullable=False),
    sa.Column('kvk_nummer', sa.String(length=8), nullable=False),
    sa.Column('vestigingsnummer', sa.String(length=12), nullable=True),
    sa.Column('reden', sa.String(length=100), nullable=False),
    sa.Column('signaal_id', sa.String(length=64), nullable=True),
    sa.Column('prioriteit', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', TS, nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.Column('open_sleutel', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bedrijf_nieuw')),
    sa.UniqueConstraint('open_sleutel', name=op.f('uq_bedrijf_nieuw_open_sleutel'))
    )
    with op.batch_alter_table('bedrijf_nieuw', schema=None) as batch_op:
        batch_op.create_index('ix_bedrijf_nieuw_claim', ['status', 'prioriteit', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bedrijf_nieuw_kvk_nummer'), ['kvk_nummer'], unique=False)

    op.create_table('kvk_request',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('at', TS, nullable=False),
    sa.Column('endpoint', sa.String(length=64), nullable=False),
    sa.Column('token_id', sa.String(length=64), nullable=False),
    sa.Column('betaald', sa.Boolean(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('ipd_code', sa.String(length=16), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('kosten_cent', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kvk_request'))
    )
    with op.batch_alter_table('kvk_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kvk_request_at'), ['at'], unique=False)

    op.create_table('kvk_signaal',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('signaal_id', sa.String(length=64), nullable=False),
    sa.Column('signaal_type', sa.String(length=100), nullable=False),
    sa.Column('kvk_nummer', sa.String(length=8), nullable=True),
    sa.Column('tijdstip', TS, nullable=True),
    sa.Column('raw', JSONDOC, nullable=False),
    sa.Column('received_at', TS, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('processed_at', TS, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kvk_signaal')),
    sa.UniqueConstraint('signaal_id', name=op.f('uq_kvk_signaal_signaal_id'))
    )
    with op.batch_alter_table('kvk_signaal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kvk_signaal_kvk_nummer'), ['kvk_nummer'], unique=False)
        batch_op.create_index(batch_op.f('ix_kvk_signaal_status'), ['status'], unique=False)

    op.create_table('mac_versie',
    sa.Column('kvk_nummer', sa.String(length=8), nullable=False),
    sa.Column('rsin', sa.String(length=9), nullable=True),
    sa.Column('naam', sa.String(length=500), nullable=True),
    sa.Column('naam_norm', sa.String(length=500), nullable=True),
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('begin_geldigheid', sa.Date(), nullable=False),
    sa.Column('eind_geldigheid', sa.Date(), nullable=True),
    sa.Column('tijdstip_registratie', TS, nullable=False),
    sa.Column('tijdstip_einde_registratie', TS, nullable=True),
    sa.Column('actueel', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', TS, nullable=False),
    sa.Column('bron', sa.String(length=32), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('data', JSONDOC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mac_versie'))
    )
    with op.batch_alter_table('mac_versie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mac_versie_kvk_nummer'), ['kvk_nummer'], unique=False)
        batch_op.create_index('ix_mac_versie_naam_norm', ['naam_norm'], unique=False, postgresql_ops={'naam_norm': 'text_pattern_ops'})
        batch_op.create_index(batch_op.f('ix_mac_versie_rsin'), ['rsin'], unique=False)
        batch_op.create_index('uq_mac_versie_actueel_kvk_nummer', ['kvk_nummer'], unique=True, sqlite_where=sa.text('actueel'), postgresql_where=sa.text('actueel'))

    op.create_table('nnp_versie',
    sa.Column('rsin', sa.String(length=9), nullable=False),
    sa.Column('kvk_nummer', sa.String(length=8), nullable=True),
    sa.Column('statutaire_naam', sa.String(length=500), nullable=True),
    sa.Column('statutaire_naam_norm', sa.String(length=500), nullable=True),
    sa.Column('rechtsvorm', sa.String(length=100), nullable=True),
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('begin_geldigheid', sa.Date(), nullable=False),
    sa.Column('eind_geldigheid', sa.Date(), nullable=True),
    sa.Column('tijdstip_registratie', TS, nullable=False),
    sa.Column('tijdstip_einde_registratie', TS, nullable=True),
    sa.Column('actueel', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', TS, nullable=False),
    sa.Column('bron', sa.String(length=32), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('data', JSONDOC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nnp_versie'))
    )
    with op.batch_alter_table('nnp_versie', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nnp_versie_kvk_nummer'), ['kvk_nummer'], unique=False)
        batch_op.create_index(batch_op.f('ix_nnp_versie_rsin'), ['rsin'], unique=False)
        batch_op.create_index(batch_op.f('ix_nnp_versie_statutaire_naam'), ['statutaire_naam'], unique=False)
        batch_op.create_index('ix_nnp_versie_statutaire_naam_norm', ['statutaire_naam_norm'], unique=False, postgresql_ops={'statutaire_naam_norm': 'text_pattern_ops'})
        batch_op.create_index('uq_nnp_versie_actueel_rsin', ['rsin'], unique=True, sqlite_where=sa.text('actueel'), postgresql_where=sa.text('actueel'))

    op.create_table('outbox',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('referentienummer', sa.String(length=40), nullable=False),
    sa.Column('afnemer_oin', sa.String(length=20), nullable=False),
    sa.Column('berichtcode', sa.String(length=10), nullable=False),
    sa.Column('entiteittype', sa.String(length=10), nullable=False),
    sa.Column('object_sleutel', sa.String(length=40), nullable=False),
    sa.Column('volgnummer', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', TS, nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.Column('delivered_at', TS, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('afnemer_oin', 'entiteittype', 'object_sleutel', 'volgnummer', name='uq_outbox_volgorde'),
    sa.UniqueConstraint('referentienummer', name=op.f('uq_outbox_referentienummer'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_claim', ['status', 'next_attempt_at'], unique=False)

    op.create_table('protocol_log',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('tijdstip', TS, nullable=False),
    sa.Column('afnemer_oin', sa.String(length=20), nullable=False),
    sa.Column('doel', sa.Text(), nullable=False),
    sa.Column('berichtcode', sa.String(length=10), nullable=False),
    sa.Column('entiteittype', sa.String(length=10), nullable=False),
    sa.Column('object_sleutels', JSONDOC, nullable=False),
    sa.Column('attribuut_paden', JSONDOC, nullable=False),
    sa.Column('request_message_id', sa.String(length=255), nullable=True),
    sa.Column('response_message_id', sa.String(length=255), nullable=True),
    sa.Column('referentienummer', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocol_log'))
    )
    with op.batch_alter_table('protocol_log', schema=None) as batch_op:
        batch_op.create_index('ix_protocol_log_afnemer_tijdstip', ['afnemer_oin', 'tijdstip'], unique=False)

    op.create_table('replay_cache',
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('seen_at', TS, nullable=False),
    sa.Column('expires_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_replay_cache'))
    )
    with op.batch_alter_table('replay_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replay_cache_expires_at'), ['expires_at'], unique=False)

    op.create_table('ves_versie',
    sa.Column('vestigingsnummer', sa.String(length=12), nullable=False),
    sa.Column('kvk_nummer', sa.String(length=8), nullable=True),
    sa.Column('is_hoofdvestiging', sa.Boolean(), nullable=False),
    sa.Column('is_commercieel', sa.Boolean(), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('huisnummer', sa.Integer(), nullable=True),
    sa.Column('huisletter', sa.String(length=2), nullable=True),
    sa.Column('huisnummertoevoeging', sa.String(length=20), nullable=True),
    sa.Column('woonplaats', sa.String(length=100), nullable=True),
    sa.Column('woonplaats_norm', sa.String(length=100), nullable=True),
    sa.Column('straatnaam', sa.String(length=100), nullable=True),
    sa.Column('straatnaam_norm', sa.String(length=100), nullable=True),
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('begin_geldigheid', sa.Date(), nullable=False),
    sa.Column('eind_geldigheid', sa.Date(), nullable=True),
    sa.Column('tijdstip_registratie', TS, nullable=False),
    sa.Column('tijdstip_einde_registratie', TS, nullable=True),
    sa.Column('actueel', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', TS, nullable=False),
    sa.Column('bron', sa.String(length=32), nullable=False),
    sa.Column('data_hash', sa.String(length=64), nullable=False),
    sa.Column('data', JSONDOC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ves_versie'))
    )
    with op.batch_alter_table('ves_versie', schema=None) as batch_op:
        batch_op.create_index('ix_ves_versie_adres', ['postcode', 'huisnummer', 'huisletter', 'huisnummertoevoeging'], unique=False)
        batch_op.create_index(batch_op.f('ix_ves_versie_kvk_nummer'), ['kvk_nummer'], unique=False)
        batch_op.create_index(batch_op.f('ix_ves_versie_vestigingsnummer'), ['vestigingsnummer'], unique=False)
        batch_op.create_index('ix_ves_versie_woonplaats_straat', ['woonplaats_norm', 'straatnaam_norm'], unique=False)
        batch_op.create_index('uq_ves_versie_actueel_vestigingsnummer', ['vestigingsnummer'], unique=True, sqlite_where=sa.text('actueel'), postgresql_where=sa.text('actueel'))

    op.create_table('autorisatie',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('afnemer_oin', sa.String(length=20), nullable=False),
    sa.Column('berichtcode', sa.String(length=10), nullable=False),
    sa.Column('entiteittype', sa.String(length=10), nullable=False),
    sa.Column('selectie_keys', JSONDOC, nullable=True),
    sa.Column('attributen', JSONDOC, nullable=True),
    sa.Column('relaties', JSONDOC, nullable=True),
    sa.Column('doel', sa.Text(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['afnemer_oin'], ['afnemer.oin'], name=op.f('fk_autorisatie_afnemer_oin_afnemer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_autorisatie')),
    sa.UniqueConstraint('afnemer_oin', 'berichtcode', 'entiteittype', name='uq_autorisatie_regel')
    )
    op.create_table('ves_handelsnaam',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('versie_id', BIGID, nullable=False),
    sa.Column('volgorde', sa.Integer(), nullable=False),
    sa.Column('naam', sa.String(length=500), nullable=False),
    sa.Column('naam_norm', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['versie_id'], ['ves_versie.id'], name=op.f('fk_ves_handelsnaam_versie_id_ves_versie'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ves_handelsnaam'))
    )
    with op.batch_alter_table('ves_handelsnaam', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ves_handelsnaam_naam'), ['naam'], unique=False)
        batch_op.create_index('ix_ves_handelsnaam_naam_norm', ['naam_norm'], unique=False, postgresql_ops={'naam_norm': 'text_pattern_ops'})
        batch_op.create_index(batch_op.f('ix_ves_handelsnaam_versie_id'), ['versie_id'], unique=False)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
