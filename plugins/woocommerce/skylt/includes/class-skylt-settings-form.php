<?php

/**
 * The settings form: the option's registration with the Settings API, its sections and inputs.
 *
 * @package Skylt
 */

defined('ABSPATH') || exit;

/**
 * Fields of WooCommerce > Skylt. Every value printed is escaped; the secret key is never printed.
 */
class Skylt_Settings_Form
{
    /** Registers the option, its sections and fields. */
    public static function register(): void
    {
        register_setting(Skylt_Settings::GROUP, Skylt_Settings::OPTION, [
            'type' => 'array',
            'sanitize_callback' => [Skylt_Settings::class, 'sanitize'],
            'default' => Skylt_Settings::defaults(),
            'show_in_rest' => false,
        ]);
        add_settings_section('skylt_api', __('Connection', 'skylt'), '__return_false', Skylt_Admin::PAGE);
        self::field(
            'api_url',
            __('API URL', 'skylt'),
            'skylt_api',
            'url',
            __('Where your Skylt server answers, e.g. https://recs.example.com', 'skylt')
        );
        self::field(
            'ingest_key',
            __('Public ingest key', 'skylt'),
            'skylt_api',
            'text',
            __('Sent to browsers with shopper events; it can only add events.', 'skylt')
        );
        self::field(
            'admin_key',
            __('Secret admin key', 'skylt'),
            'skylt_api',
            'secret',
            __('Used only by this server for catalog updates and erasure requests; never sent to browsers.', 'skylt')
        );
        self::field(
            'server_key',
            __('Secret server key', 'skylt'),
            'skylt_api',
            'secret',
            __('One of the server\'s server_keys: paid orders are sent with it as trusted purchases.', 'skylt')
        );
        self::field(
            'identity_secret',
            __('Identity secret', 'skylt'),
            'skylt_api',
            'secret',
            __('One of the server\'s identity_secrets; signs customers\' ids. Without it no id is sent.', 'skylt')
        );
        self::field('consent', __('Shopper consent', 'skylt'), 'skylt_api', 'consent', '');
        add_settings_section(
            'skylt_slots',
            __('Where recommendations appear', 'skylt'),
            '__return_false',
            Skylt_Admin::PAGE
        );
        $titles = [
            'product' => __('Product page', 'skylt'),
            'cart' => __('Cart', 'skylt'),
            'checkout' => __('Checkout', 'skylt'),
            'home' => __('Home page', 'skylt'),
        ];
        foreach ($titles as $page => $title) {
            add_settings_field(
                'skylt_' . $page,
                $title,
                [self::class, 'page_fields'],
                Skylt_Admin::PAGE,
                'skylt_slots',
                ['page' => $page]
            );
        }
        self::field(
            'product_priority',
            __('Product page position', 'skylt'),
            'skylt_slots',
            'number',
            __(
                'Priority on woocommerce_after_single_product_summary (up-sells are 15, related products 20). Block '
                . 'themes: below 20 after the product details, from 20 on after related products.',
                'skylt'
            )
        );
        self::field(
            'mini_cart_enabled',
            __('Mini-cart', 'skylt'),
            'skylt_slots',
            'checkbox',
            __('The cart slot in the Mini-Cart block\'s drawer and the classic cart widget.', 'skylt')
        );
        self::field(
            'order_received_enabled',
            __('Order received', 'skylt'),
            'skylt_slots',
            'checkbox',
            __('Products that go with the order, on the order-received page.', 'skylt')
        );
        add_settings_section(
            'skylt_more',
            __('WooCommerce lists and forwarding', 'skylt'),
            '__return_false',
            Skylt_Admin::PAGE
        );
        $kept = __(
            'Hidden once Skylt shows its rows; kept when Skylt cannot answer and for an experiment\'s control group.',
            'skylt'
        );
        self::field('replace_related', __('Replace related products', 'skylt'), 'skylt_more', 'checkbox', $kept);
        self::field('replace_upsells', __('Replace up-sells', 'skylt'), 'skylt_more', 'checkbox', $kept);
        self::field('replace_cross_sells', __('Replace cross-sells', 'skylt'), 'skylt_more', 'checkbox', $kept);
        self::field(
            'forward_orders',
            __('Send paid orders', 'skylt'),
            'skylt_more',
            'checkbox',
            __('Orders reaching processing or completed become purchase events.', 'skylt')
        );
        self::field(
            'forward_catalog',
            __('Send catalog changes', 'skylt'),
            'skylt_more',
            'checkbox',
            __('Product saves and stock changes update Skylt at once (needs the secret key).', 'skylt')
        );
        self::field(
            'marketing_meta',
            __('Marketing consent field', 'skylt'),
            'skylt_more',
            'text',
            __(
                'The order (or customer) meta key where your newsletter checkbox stores the customer\'s marketing '
                . 'consent, e.g. _wc_other/my-shop/newsletter. Sent with paid orders, so Skylt e-mails only customers '
                . 'who said yes. Empty: only the skylt_marketing_consent filter answers.',
                'skylt'
            )
        );
    }

    /**
     * One settings field.
     *
     * @param string $key     Setting name.
     * @param string $label   Label.
     * @param string $section Section ID.
     * @param string $type    url, text, secret, number, checkbox or consent.
     * @param string $help    Help text under the field.
     */
    private static function field(string $key, string $label, string $section, string $type, string $help): void
    {
        $args = ['key' => $key, 'type' => $type, 'help' => $help, 'label_for' => 'skylt_' . $key];
        add_settings_field('skylt_' . $key, $label, [self::class, 'input'], Skylt_Admin::PAGE, $section, $args);
    }

    /**
     * Prints one input.
     *
     * @param array<string, string> $args From field().
     */
    public static function input(array $args): void
    {
        $key = $args['key'];
        $name = Skylt_Settings::OPTION . '[' . $key . ']';
        $value = Skylt_Settings::get($key);
        $id = 'skylt_' . $key;
        if ('checkbox' === $args['type']) {
            printf(
                '<input type="checkbox" id="%s" name="%s" value="1" %s />',
                esc_attr($id),
                esc_attr($name),
                checked((bool) $value, true, false)
            );
        } elseif ('consent' === $args['type']) {
            $choices = [
                'required' => __('Required: wait for the WP Consent API or Skylt.consent(true)', 'skylt'),
                'true' => __('Not needed (events are sent)', 'skylt'),
                'false' => __('Never store or send shopper events', 'skylt'),
            ];
            printf('<select id="%s" name="%s">', esc_attr($id), esc_attr($name));
            foreach ($choices as $choice => $label) {
                printf(
                    '<option value="%s" %s>%s</option>',
                    esc_attr($choice),
                    selected((string) $value, $choice, false),
                    esc_html($label)
                );
            }
            echo '</select>';
        } elseif ('secret' === $args['type']) {
            // The stored secret is never printed; an empty field keeps it.
            $placeholder = '' === (string) $value ? '' : __('Saved. Leave empty to keep it.', 'skylt');
            printf(
                '<input type="password" id="%s" name="%s" value="" class="regular-text" autocomplete="new-password"'
                . ' placeholder="%s" />',
                esc_attr($id),
                esc_attr($name),
                esc_attr($placeholder)
            );
            if ('' !== (string) $value) {
                printf(
                    ' <label><input type="checkbox" name="%s" value="1" /> %s</label>',
                    esc_attr(Skylt_Settings::OPTION . '[' . $key . '_clear]'),
                    esc_html__('Remove', 'skylt')
                );
            }
        } else {
            $html_type = 'number' === $args['type'] ? 'number' : ('url' === $args['type'] ? 'url' : 'text');
            printf(
                '<input type="%s" id="%s" name="%s" value="%s" class="regular-text" />',
                esc_attr($html_type),
                esc_attr($id),
                esc_attr($name),
                esc_attr((string) $value)
            );
        }
        if ('' !== $args['help']) {
            printf('<p class="description">%s</p>', esc_html($args['help']));
        }
    }

    /**
     * A page's switch, slot choice, count and heading.
     *
     * @param array<string, string> $args ['page' => ...].
     */
    public static function page_fields(array $args): void
    {
        $page = $args['page'];
        $s = Skylt_Settings::all();
        $base = Skylt_Settings::OPTION . '[' . $page;
        printf(
            '<label><input type="checkbox" name="%s" value="1" %s /> %s</label><br />',
            esc_attr($base . '_enabled]'),
            checked(! empty($s[$page . '_enabled']), true, false),
            esc_html__('Show recommendations', 'skylt')
        );
        foreach (Skylt_Settings::SLOTS[$page] as $slot) {
            $on = in_array($slot, (array) $s[$page . '_slots'], true);
            printf(
                '<label class="skylt-slot-choice"><input type="checkbox" name="%s" value="%s" %s />'
                . ' <code>%s</code></label>',
                esc_attr($base . '_slots][]'),
                esc_attr($slot),
                checked($on, true, false),
                esc_html($slot)
            );
        }
        printf(
            '<br /><label>%s <input type="number" min="1" max="50" name="%s" value="%d" class="small-text" /></label> ',
            esc_html__('Items', 'skylt'),
            esc_attr($base . '_n]'),
            (int) $s[$page . '_n']
        );
        printf(
            '<label>%s <input type="text" name="%s" value="%s" class="regular-text" placeholder="%s" /></label>',
            esc_html__('Heading', 'skylt'),
            esc_attr($base . '_heading]'),
            esc_attr((string) $s[$page . '_heading']),
            esc_attr__('The slot\'s own title', 'skylt')
        );
    }
}
