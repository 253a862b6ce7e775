/* Editor side of the skylt/slot block: plain ES5 on wp.* globals, no build step. The front end is rendered by
   PHP (Skylt_Slots::block), so the block saves nothing but its attributes. */
(function (wp) {
	'use strict';
	var el = wp.element.createElement;
	var __ = wp.i18n.__;
	var be = wp.blockEditor;
	var c = wp.components;
	var PAGES = ['home', 'product', 'cart', 'checkout'];

	wp.blocks.registerBlockType('skylt/slot', {
		edit: function (props) {
			var a = props.attributes;
			var set = function (key) {
				return function (value) {
					var next = {};
					next[key] = key === 'n' ? parseInt(value, 10) || 4 : value;
					props.setAttributes(next);
				};
			};
			return el('div', be.useBlockProps(),
				el(be.InspectorControls, null,
					el(c.PanelBody, { title: __('Recommendations', 'skylt') },
						el(c.SelectControl, { label: __('Page type', 'skylt'), value: a.page, onChange: set('page'),
							options: PAGES.map(function (p) { return { label: p, value: p }; }) }),
						el(c.TextControl, { label: __('Slots (comma-separated, empty for all)', 'skylt'), value: a.slot,
							onChange: set('slot') }),
						el(c.TextControl, { label: __('Items', 'skylt'), type: 'number', value: a.n, onChange: set('n') }),
						el(c.TextControl, { label: __('Product id (product page type)', 'skylt'), value: a.item,
							onChange: set('item') }),
						el(c.TextControl, { label: __('Heading', 'skylt'), value: a.heading, onChange: set('heading') }))),
				el(c.Placeholder, { icon: 'products', label: __('Skylt recommendations', 'skylt'),
					instructions: __('Shoppers see personalized products here.', 'skylt') }));
		},
		save: function () { return null; }
	});
}(window.wp));
