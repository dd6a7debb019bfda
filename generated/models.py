# GENERATED FILE: DO NOT EDIT BY HAND.
# Source: openapi/openapi.yaml, by datamodel-code-generator with the options in
# pyproject.toml [tool.datamodel-codegen]. Regenerate with `make generate`;
# `make check` fails when this file differs from a fresh generation.

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    MISSING,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictInt,
    StrictStr,
)


class AddMobileNumberRequest(BaseModel):
    """
    A mobile number to attach to the account, with its additional city number.
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    number: Annotated[
        StrictStr,
        Field(
            examples=["79268622332"],
            max_length=11,
            min_length=11,
            pattern="^79[0-9]{9}$",
        ),
    ]
    """
    The mobile number to add (виртуальный номер): a Russian DEF number of 11 digits,
    country code `7` first, no `+` (D3).

    """
    dgn_number: Annotated[
        StrictStr,
        Field(
            examples=["74958042300"],
            max_length=11,
            min_length=11,
            pattern="^7[0-9]{10}$",
        ),
    ]
    """
    The additional city number (ДГН, дополнительный городской номер) attached to the
    mobile number: 11 digits, country code `7` first, no `+` (D3).

    """
    purpose: Literal["company", "not_specified"]
    """
    Purpose (назначение) of the number. Only `company` and `not_specified` may be
    requested, spelled with Latin letters (D1, D17).

    """
    comment: Annotated[
        StrictStr | MISSING,
        Field(examples=["ЗаметкаАПИ"], max_length=255, min_length=0),
    ] = MISSING
    """
    A free-text note (заметка) on the number; omit it rather than send `null` (D4).
    """
    type: Literal["def"]
    """
    Kind of virtual number (тип); this operation adds mobile (DEF) numbers only (D17).
    """


class RedirectNumber(BaseModel):
    """
    A number redirected to the virtual number.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    id: Annotated[StrictInt, Field(ge=1, le=9007199254740991)]
    """
    Identifier of the redirected virtual number.
    """
    number: StrictStr
    """
    The redirected number, 11 digits with country code `7` in the provider's examples.
    """


class ErrorDetail(BaseModel):
    """
    The error detail the reference mock sends, with a stable shape.
    """

    code: Annotated[StrictStr, Field(examples=["validation_failed"])]
    """
    Stable machine-readable code: `malformed_json`, `validation_failed`,
    `unauthorized`, `not_found`, `method_not_allowed`, `duplicate_number`,
    `number_not_connectable`, `not_deletable`, `payload_too_large`,
    `unsupported_media_type`.

    """
    message: Annotated[StrictStr, Field(examples=["'abc' is not one of ['def']"])]
    """
    Human-readable explanation in English.
    """
    field: Annotated[StrictStr | None, Field(examples=["type"])]
    """
    The request property at fault, or `null` when the fault is not in one property.
    """


class ConnectableNumber(BaseModel):
    """
    A mobile number the account may connect, as `listConnectableMobileNumbers` returns it
    (D20). Undocumented properties may appear (D6).

    """

    model_config = ConfigDict(
        extra="allow",
    )
    id: Annotated[StrictStr, Field(min_length=1)]
    """
    Identifier of the offer; a string, in the provider's example the number itself
    (D19). Not the `id` of a `VirtualNumber`.

    """
    number: Annotated[
        StrictStr, Field(max_length=11, min_length=11, pattern="^79[0-9]{9}$")
    ]
    """
    The mobile number that may be added, 11 digits, `79` first (D3).
    """
    dgn_number: Annotated[StrictStr, Field(max_length=11, pattern="^(7[0-9]{10})?$")]
    """
    The ДГН the provider pairs with the number, or an empty string when there is none
    (D8, D20).

    """
    state: Literal["active", "inactive", "activation", "debt_lock", "unconfirmed", "freeze", "error"]
    """
    Current state of the number (состояние) (D2).
    """


class EditToEmployee(BaseModel):
    """
    Assign the number to an employee (purpose `employee`); `employee_id` is required (D27).
    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[StrictInt, Field(examples=[542], ge=1, le=9007199254740991)]
    """
    The number's id; must equal the `id` of the path (D26).
    """
    purpose: Literal["employee"]
    """
    Purpose (назначение) `employee`, Latin letters (D1).
    """
    employee_id: Annotated[StrictInt, Field(examples=[123], ge=1, le=9007199254740991)]
    """
    The employee (сотрудник) the number is assigned to.
    """
    comment: Annotated[
        StrictStr | MISSING, Field(examples=["Заметка"], max_length=255, min_length=0)
    ] = MISSING
    """
    A new note on the number; omitted keeps the stored one, `null` is rejected (D4, D25).
    """


class EditToCompanyOrNotSpecified(BaseModel):
    """
    Make the number a company number or leave its purpose unspecified; `employee_id` is
    not accepted, the stored one is cleared (D27).

    """

    model_config = ConfigDict(
        extra="forbid",
    )
    id: Annotated[StrictInt, Field(examples=[542], ge=1, le=9007199254740991)]
    """
    The number's id; must equal the `id` of the path (D26).
    """
    purpose: Literal["company", "not_specified"]
    """
    Purpose (назначение) `company` or `not_specified`, Latin letters (D1).
    """
    comment: Annotated[
        StrictStr | MISSING, Field(examples=["Заметка"], max_length=255, min_length=0)
    ] = MISSING
    """
    A new note on the number; omitted keeps the stored one, `null` is rejected (D4, D25).
    """


class EditedMobileNumber(BaseModel):
    """
    The answer to an edit: the number's edited fields as stored after it (D25). Servers
    may send the whole `VirtualNumber`; undocumented properties are allowed (D6).

    """

    model_config = ConfigDict(
        extra="allow",
    )
    id: Annotated[StrictInt, Field(ge=1, le=9007199254740991)]
    """
    The number's id, as in the path.
    """
    purpose: Literal["company", "employee", "not_specified"]
    """
    The purpose after the edit.
    """
    employee_id: Annotated[StrictInt | None, Field(ge=1, le=9007199254740991)]
    """
    The employee after the edit; `null` unless the purpose is `employee` (D27).
    """
    comment: StrictStr | None
    """
    The comment after the edit; `null` when the number has none.
    """


class DeletedNumber(BaseModel):
    """
    The answer to a delete (D24). Undocumented properties are allowed (D6).
    """

    model_config = ConfigDict(
        extra="allow",
    )
    id: Annotated[StrictInt, Field(ge=1, le=9007199254740991)]
    """
    The id of the deleted number.
    """


class VirtualNumber(BaseModel):
    """
    A virtual number of the account, as the Data API returns it after adding a number and
    in its listings. Every documented property is always present; properties marked as
    nullable come back as `null` when empty (D4, D5). Undocumented properties may appear
    and are kept, so that a field the provider adds does not break clients (D6).

    """

    model_config = ConfigDict(
        extra="allow",
    )
    number: Annotated[
        StrictStr, Field(max_length=11, min_length=11, pattern="^7[0-9]{10}$")
    ]
    """
    The virtual number (виртуальный номер), 11 digits with country code `7`.
    """
    comment: StrictStr | None
    """
    The note on the number (комментарий); `null` when none was given.
    """
    type: Literal["def", "abc", "sip_registration", "sip_redirection", "toll_free"]
    """
    Kind of virtual number (тип виртуального номера).
    """
    purpose: Literal["company", "employee", "not_specified"]
    """
    Purpose of the number (назначение).
    """
    scenario_id: Annotated[StrictInt | None, Field(ge=1, le=9007199254740991)]
    """
    Inbound call scenario (входящий сценарий) bound to the number; `null` when none (D5).
    """
    group_scenario_id: Annotated[StrictInt | None, Field(ge=1, le=9007199254740991)]
    """
    Inbound call scenario of the number's group; `null` when none.
    """
    group_id: Annotated[StrictInt | None, Field(ge=1, le=9007199254740991)]
    """
    Group of numbers used by inbound scenarios; `null` when the number is in no group.
    """
    is_scenario_active: StrictBool | None
    """
    Whether the number's inbound scenario is active; `null` when it has none (D5).
    """
    is_group_scenario_active: StrictBool | None
    """
    Whether the group's inbound scenario is active; `null` when there is none.
    """
    id: Annotated[StrictInt, Field(ge=1, le=9007199254740991)]
    """
    Unique identifier of the virtual number (уникальный идентификатор) (D19), on the
    server or within the account (D36).

    """
    state: Literal["active", "inactive", "activation", "debt_lock", "unconfirmed", "freeze", "error"]
    """
    Current state of the number (состояние).
    """
    reason: StrictStr | None
    """
    Why the state last changed (причина изменения состояния); `null` when unknown.
    """
    from_redirect_numbers: list[RedirectNumber] | None
    """
    Numbers redirected to this one (перенаправленные номера); `null` when none (D5).
    """
    employee_id: Annotated[StrictInt | None, Field(ge=1, le=9007199254740991)]
    """
    Employee (сотрудник) the number is assigned to; `null` when unassigned (D5).
    """
    dgn_number: StrictStr
    """
    The additional city number (ДГН). May be an empty string in listings of numbers
    that have none (D8).

    """
    region_name: StrictStr | None
    """
    Region (регион) the number belongs to; `null` when unknown (D7).
    """
    app_id: Annotated[StrictInt | MISSING, Field(ge=1, le=9007199254740991)] = MISSING
    """
    The customer account (Личный кабинет) holding the number, the token's (D31). Optional (D7).
    """
    sip_uri: StrictStr | None | MISSING = MISSING
    """
    SIP URI of a "SIP redirection" number; `null` for other kinds. Optional (D7).
    """
    redirect_number: StrictStr | None | MISSING = MISSING
    """
    Number calls are redirected to (номер для перенаправления). Optional (D7).
    """
    nc_type: StrictStr | None | MISSING = MISSING
    """
    Undocumented by the provider; present in its listings with values such as
    `custom` and `custom+fmc`. Optional, any string (D6).

    """


class Error(BaseModel):
    """
    An error answer. The provider documents no error keys, so any JSON object is a valid
    error body (D10). The reference mock always sends `error` shaped as `ErrorDetail`.

    """

    error: ErrorDetail | Any | MISSING = MISSING
    """
    What went wrong. The reference mock sends an `ErrorDetail`; other servers may send
    any other value here, or leave the key out.

    """


class EditMobileNumberRequest(RootModel[EditToEmployee | EditToCompanyOrNotSpecified]):
    root: Annotated[
        EditToEmployee | EditToCompanyOrNotSpecified, Field(discriminator="purpose")
    ]
    """
    The new purpose of a mobile number, with its employee when the purpose is `employee`
    and optionally a new comment (D25, D27). Unknown properties are rejected (D12).

    """
