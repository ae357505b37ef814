import {useHotkey} from "@web/core/hotkeys/hotkey_hook";
import {registry} from "@web/core/registry";
import {getFieldDomain} from "@web/model/relational_model/utils";
import {
    BadgeSelectionField,
    badgeSelectionField,
} from "@web/views/fields/badge_selection/badge_selection_field";
import {useSpecialData} from "@web/views/fields/relational_utils";

const RESULT_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

/**
 * The results of the call screen: one button per status, in the status's
 * colour and numbered; keys 1-9 choose the result of that number (not while
 * typing in the notes).
 */
export class CallResultBadgesField extends BadgeSelectionField {
    static template = "call_campaign.CallResultBadgesField";

    setup() {
        this.type = "many2one";
        this.specialData = useSpecialData((orm, props) => {
            const domain = getFieldDomain(props.record, props.name, props.domain);
            const {relation} = props.record.fields[props.name];
            return orm.searchRead(relation, domain, ["display_name", "color"]);
        });
        RESULT_KEYS.forEach((key, index) => {
            useHotkey(key, () => {
                const option = this.options[index];
                if (option && !this.props.readonly) {
                    this.onChange(option[0]);
                }
            });
        });
    }

    get options() {
        return (this.specialData.data || []).map((status) => [
            status.id,
            status.display_name,
            status.color || 0,
        ]);
    }

    onChange(value) {
        const option = this.options.find((o) => o[0] === value);
        this.props.record.update({
            [this.props.name]: option ? [option[0], option[1]] : false,
        });
    }
}

registry.category("fields").add("call_result_badges", {
    ...badgeSelectionField,
    component: CallResultBadgesField,
    supportedTypes: ["many2one"],
});
